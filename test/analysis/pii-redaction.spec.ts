import { redactPii } from '../../src/integrations/analysis/pii-redaction';

describe('PII redaction', () => {
  it.each([
    '+7 (999) 123-45-67',
    '+79991234567',
    '8 999 123 45 67',
    '89991234567',
    '8-999-123-45-67',
    '999 123-45-67',
    '+7 495 123-45-67',
    '8 (4951) 23-45-67',
  ])('masks the phone number %s', (phone) => {
    expect(redactPii(`Запишите: ${phone}, спасибо`)).toBe('Запишите: [телефон], спасибо');
  });

  it.each(['4276 1234 5678 9012', '4276-1234-5678-9012', '4276123456789012'])('masks the card number %s', (card) => {
    expect(redactPii(`карта ${card} подойдёт`)).toBe('карта [карта] подойдёт');
  });

  it('masks e-mail addresses', () => {
    expect(redactPii('пишите на ivan.petrov+crm@mail.example.ru или на почта@пример.рф')).toBe('пишите на [email] или на [email]');
  });

  it.each(['серия 45 06 номер 123456', 'паспорт 4506 123456', '4506 123456', 'серия 4506 № 123456'])('masks the passport number %s', (passport) => {
    expect(redactPii(`данные: ${passport}.`)).not.toMatch(/\d/);
  });

  it('leaves sums, dates and counts alone', () => {
    const text = 'Тариф стоит 15 000 рублей, двадцать 20 сотрудников, договор от 12.03.2025, номер заказа 12345';
    expect(redactPii(text)).toBe(text);
  });
});
