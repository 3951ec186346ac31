import { countMentions, mergeProducts } from '../../src/integrations/analysis/dictionary-mentions';
import { russianStem } from '../../src/integrations/analysis/text-normalization';
import { segment } from './analysis-fixtures';

describe('dictionary mentions', () => {
  it('stems Russian word forms to one stem', () => {
    const forms = ['ипотека', 'ипотеки', 'ипотеку', 'ипотекой', 'ипотеке'];
    expect(new Set(forms.map(russianStem))).toEqual(new Set(['ипотек']));
    expect(russianStem('crm')).toBe('crm');
  });

  it('counts products in any case form, multi-word names included', () => {
    const segments = [
      segment(0, 5, 'client', 'Нас интересует ипотека и кредитная карта.'),
      segment(5, 9, 'manager', 'По ипотеке ставка ниже, а кредитную карту оформим сразу.'),
      segment(9, 12, 'client', 'А кредитной картой можно платить за границей? И что с Ипотекой для ИП?'),
    ];
    expect(countMentions(['Ипотека', 'Кредитная карта', 'Вклад'], segments)).toEqual([
      { name: 'Ипотека', count: 3 },
      { name: 'Кредитная карта', count: 3 },
    ]);
  });

  it('does not count a word that merely starts like a product', () => {
    expect(countMentions(['Карта'], [segment(0, 1, 'client', 'Картина висит на стене, а картофель в погребе')])).toEqual([]);
  });

  it('counts competitors written in Latin and with digits', () => {
    expect(countMentions(['amoCRM', 'Битрикс24'], [segment(0, 1, 'client', 'Сейчас у нас AmoCRM, раньше был Битрикс24.')])).toEqual([
      { name: 'amoCRM', count: 1 },
      { name: 'Битрикс24', count: 1 },
    ]);
  });

  it('merges the model products with dictionary hits, one name per product', () => {
    expect(mergeProducts([{ name: 'Ипотека', count: 2 }], ['ипотеку', 'Страхование жизни', ' Страхование жизни '])).toEqual(['Ипотека', 'Страхование жизни']);
  });
});
