import fc from 'fast-check';
import { escapeHtml, link } from '../../src/integrations/telegram/html';
import { splitHtml } from '../../src/integrations/telegram/split-html';
import { parseTelegramHtml } from '../fakes/telegram';

function plainText(html: string): string {
  const parsed = parseTelegramHtml(html);
  if ('error' in parsed) throw new Error(`${parsed.error} in ${html.slice(0, 200)}`);
  return parsed.plain;
}

describe('splitHtml', () => {
  it('keeps a short message whole', () => {
    expect(splitHtml('<b>short</b>\ntext')).toEqual(['<b>short</b>\ntext']);
  });

  it('cuts at line ends and keeps every part within the limit', () => {
    const lines = Array.from({ length: 40 }, (_, index) => `line ${index} ${'x'.repeat(20)}`);

    const parts = splitHtml(lines.join('\n'), 200);

    expect(parts.length).toBeGreaterThan(4);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(200);
    expect(parts.join('\n')).toBe(lines.join('\n'));
  });

  it('closes tags at a cut and reopens them in the next part', () => {
    const rows = Array.from({ length: 30 }, (_, index) => `row ${index} &amp; more`).join('\n');
    const html = `<b>Table</b>\n<pre>${rows}</pre>\n<a href="https://crm.example/?a=1&amp;b=2">open</a>`;

    const parts = splitHtml(html, 150);

    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(150);
    expect(parts[1].startsWith('<pre>')).toBe(true);
    expect(parts.map(plainText).join('\n')).toBe(plainText(html));
  });

  it('cuts a line longer than a message between words, never inside a tag or an entity', () => {
    const words = Array.from({ length: 300 }, (_, index) => (index % 7 === 0 ? `<i>w${index}&lt;&gt;</i>` : `word${index}`));
    const html = `<b>${words.join(' ')}</b>`;

    const parts = splitHtml(html, 300);

    expect(parts.length).toBeGreaterThan(3);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(300);
      expect(() => plainText(part)).not.toThrow();
    }
    expect(parts.map(plainText).join('')).toBe(plainText(html));
  });

  it('cuts a single endless word without splitting a character', () => {
    const html = '😀'.repeat(500);

    const parts = splitHtml(html, 301);

    for (const part of parts) expect(part).toMatch(/^(😀)+$/u);
    expect(parts.join('')).toBe(html);
  });
});

describe('splitHtml on any well-formed message', () => {
  const word = fc.stringMatching(/^[a-zа-я<>&"0-9]{1,12}$/).map(escapeHtml);
  const inline = fc.oneof(word, word.map((text) => `<b>${text}</b>`), word.map((text) => link('https://crm.example/?a=1&b="2"', text)));
  const line = fc.array(inline, { minLength: 1, maxLength: 30 }).map((words) => words.join(' '));
  const block = fc.oneof(line, fc.array(line, { minLength: 1, maxLength: 20 }).map((lines) => `<pre>${lines.join('\n')}</pre>`));
  const message = fc.array(block, { minLength: 1, maxLength: 40 }).map((blocks) => blocks.join('\n'));

  it('gives parts within the limit that each parse and together keep the text', () => {
    fc.assert(fc.property(message, fc.integer({ min: 200, max: 1000 }), (html, limit) => {
      const parts = splitHtml(html, limit);
      for (const part of parts) expect(part.length).toBeLessThanOrEqual(limit);
      const joined = parts.map(plainText).join('');
      expect(joined.replace(/\n/g, '')).toBe(plainText(html).replace(/\n/g, ''));
    }), { numRuns: 100 });
  });
});
