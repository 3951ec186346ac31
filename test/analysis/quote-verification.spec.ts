import { locateQuote } from '../../src/integrations/analysis/quote-verification';
import { SALES_CALL, segment } from './analysis-fixtures';

describe('quote verification', () => {
  it('finds an exact quote and the start of its segment', () => {
    expect(locateQuote('Сколько сотрудников будет работать в системе?', SALES_CALL)).toEqual({ segmentIndex: 2, time: 9.5, similarity: 1 });
  });

  it('ignores case, ё, punctuation and spacing', () => {
    expect(locateQuote('тогда ТАРИФ бизнес  окупится за два месяца — я пришлю расчет', SALES_CALL)?.segmentIndex).toBe(4);
  });

  it('accepts small recogniser slips', () => {
    expect(locateQuote('Здравствуйте, меня зовут Ана, компания Облако', SALES_CALL)?.similarity).toBeGreaterThan(0.8);
  });

  it('accepts elisions with … when every part appears in order', () => {
    expect(locateQuote('Тогда тариф Бизнес… я пришлю расчёт', SALES_CALL)?.time).toBe(20.5);
    expect(locateQuote('я пришлю расчёт… Тогда тариф Бизнес', SALES_CALL)).toBeNull();
  });

  it('finds a quote that runs across two segments', () => {
    const segments = [segment(0, 3, 'manager', 'Давайте я'), segment(3, 6, 'manager', 'пришлю вам договор сегодня')];
    expect(locateQuote('Давайте я пришлю вам договор', segments)?.segmentIndex).toBe(0);
  });

  it('rejects paraphrases and invented lines', () => {
    expect(locateQuote('Сколько человек будет пользоваться программой?', SALES_CALL)).toBeNull();
    expect(locateQuote('Мы дадим скидку пятьдесят процентов', SALES_CALL)).toBeNull();
    expect(locateQuote('', SALES_CALL)).toBeNull();
  });

  it('does not fuzzily match one or two words', () => {
    expect(locateQuote('Добрый дён', SALES_CALL)).toBeNull();
    expect(locateQuote('Добрый день', SALES_CALL)?.segmentIndex).toBe(1);
  });
});
