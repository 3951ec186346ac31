/** Telegram refuses a message longer than this many characters. */
export const TELEGRAM_TEXT_LIMIT = 4096;

interface OpenTag {
  name: string;
  raw: string;
}

interface Unit {
  text: string;
  startsLine: boolean;
}

const TAG = /<(\/?)([a-zA-Z][\w-]*)[^>]*>/g;
const LINE_TOKEN = /<[^>]*>|&#?\w+;|\s+|[^<&\s]+|[<&]/g;

/**
 * Splits HTML into messages of at most `limit` characters, preferably at line ends. A tag open at a cut
 * is closed at the end of one part and opened again at the start of the next, so every part parses alone.
 */
export function splitHtml(html: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  if (html.length <= limit) return [html];
  const parts: string[] = [];
  let open: OpenTag[] = [];
  let part = '';
  let partHasUnits = false;
  for (const unit of toUnits(html, Math.floor(limit / 2))) {
    const openAfter = applyTags(open, unit.text);
    let addition = partHasUnits && unit.startsLine ? `\n${unit.text}` : unit.text;
    if (partHasUnits && part.length + addition.length + closingTags(openAfter).length > limit) {
      parts.push(part + closingTags(open));
      part = openingTags(open);
      addition = unit.text;
    }
    part += addition;
    open = openAfter;
    partHasUnits = true;
  }
  parts.push(part + closingTags(open));
  return parts.filter(hasVisibleText);
}

function toUnits(html: string, maxUnitLength: number): Unit[] {
  return html.split('\n').flatMap((line, index) =>
    splitLongLine(line, maxUnitLength).map((text, piece) => ({ text, startsLine: index > 0 && piece === 0 })),
  );
}

/** Cuts between words, never inside a tag or an entity; a word longer than the budget is cut by characters. */
function splitLongLine(line: string, maxLength: number): string[] {
  if (line.length <= maxLength) return [line];
  const pieces: string[] = [];
  let current = '';
  for (const token of line.match(LINE_TOKEN) ?? []) {
    for (const fragment of token.length > maxLength ? chunkByCodePoints(token, maxLength) : [token]) {
      if (current.length + fragment.length > maxLength) {
        pieces.push(current);
        current = '';
      }
      current += fragment;
    }
  }
  return current ? [...pieces, current] : pieces;
}

function chunkByCodePoints(text: string, size: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const char of text) {
    if (current.length + char.length > size) {
      chunks.push(current);
      current = '';
    }
    current += char;
  }
  return current ? [...chunks, current] : chunks;
}

function applyTags(open: OpenTag[], text: string): OpenTag[] {
  const stack = [...open];
  for (const [raw, closing, name] of text.matchAll(TAG)) {
    if (!closing) stack.push({ name: name.toLowerCase(), raw });
    else {
      const index = stack.map((tag) => tag.name).lastIndexOf(name.toLowerCase());
      if (index >= 0) stack.splice(index, 1);
    }
  }
  return stack;
}

function closingTags(open: OpenTag[]): string {
  return [...open].reverse().map((tag) => `</${tag.name}>`).join('');
}

function openingTags(open: OpenTag[]): string {
  return open.map((tag) => tag.raw).join('');
}

function hasVisibleText(part: string): boolean {
  return part.replace(TAG, '').trim().length > 0;
}
