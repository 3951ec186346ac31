/** Lower case, ё as е, punctuation as spaces: the form in which quotes and names are compared. */
export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function tokenize(text: string): string[] {
  const normalized = normalizeText(text);
  return normalized === '' ? [] : normalized.split(' ');
}

/** Longest first, so that `-ами` wins over `-и`. */
const RUSSIAN_ENDINGS = [
  'иями', 'ями', 'ами', 'ого', 'его', 'ому', 'ему', 'ыми', 'ими', 'ией',
  'ах', 'ях', 'ам', 'ям', 'ов', 'ев', 'ей', 'ой', 'ый', 'ий', 'ая', 'яя', 'ое', 'ее', 'ые', 'ие', 'ым', 'им', 'ом', 'ем', 'ую', 'юю', 'ию', 'ия', 'ии',
  'а', 'я', 'ы', 'и', 'у', 'ю', 'е', 'о', 'ь', 'й',
];
const MIN_STEM_LENGTH = 3;

/** A crude Russian stem: strips one inflectional ending, keeping at least three letters. */
export function russianStem(token: string): string {
  if (!/[а-я]/.test(token)) return token;
  for (const ending of RUSSIAN_ENDINGS) {
    if (token.endsWith(ending) && token.length - ending.length >= MIN_STEM_LENGTH) return token.slice(0, -ending.length);
  }
  return token;
}

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
