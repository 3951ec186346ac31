const TRAILING_NOTE = /\s*\([^)]*\)\s*$/;

/**
 * A label shortened to `width` legibly: the whole label; without a trailing note in brackets; the first
 * names as initials ("Е. Волкова"); only then cut with an ellipsis.
 */
export function abbreviateLabel(label: string, width: number, measure: (text: string) => number): string {
  const candidates = [label, label.replace(TRAILING_NOTE, ''), initials(label.replace(TRAILING_NOTE, ''))];
  const fitting = candidates.find((candidate) => candidate && measure(candidate) <= width);
  if (fitting) return fitting;
  let cut = candidates[2] || label;
  while (cut.length > 1 && measure(`${cut}…`) > width) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}

function initials(name: string): string {
  const words = name.trim().split(/\s+/);
  if (words.length < 2) return '';
  return [...words.slice(0, -1).map((word) => `${word[0]}.`), words[words.length - 1]].join(' ');
}
