import { utf8Bytes } from '../../src/common/utf8';

describe('utf8Bytes', () => {
  it.each([
    ['empty', ''],
    ['ASCII', '{"id":1,"status":"analyzed"}'],
    ['Cyrillic', '{"summary":"Клиент интересовался рассрочкой"}'],
    ['surrogate pairs', 'звонок 📞 и 👍'],
    ['a lone high surrogate', 'broken \ud800 text'],
    ['a lone low surrogate', 'x\udc00'],
    ['Latin-1', 'café, naïve'],
  ])('encodes %s text exactly as Buffer.from does', (_name, text) => {
    expect(utf8Bytes(text).equals(Buffer.from(text, 'utf8'))).toBe(true);
  });

  it('encodes a page-sized text', () => {
    const text = '{"summary":"Клиент 📞","id":1},'.repeat(5_000);
    expect(utf8Bytes(text).equals(Buffer.from(text, 'utf8'))).toBe(true);
  });
});
