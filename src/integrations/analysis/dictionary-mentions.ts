import { Mention, TranscriptSegment } from './call-analyzer.port';
import { russianStem, tokenize } from './text-normalization';

function stems(text: string): string[] {
  return tokenize(text).map(russianStem);
}

/** How often each dictionary name (one or several words, any Russian case form) occurs in the transcript. */
export function countMentions(names: string[], segments: TranscriptSegment[]): Mention[] {
  const transcript = segments.flatMap((segment) => stems(segment.text));
  return names
    .map((name) => ({ name, count: countSequence(stems(name), transcript) }))
    .filter((mention) => mention.count > 0);
}

function countSequence(wanted: string[], transcript: string[]): number {
  if (wanted.length === 0) return 0;
  let count = 0;
  for (let position = 0; position + wanted.length <= transcript.length; position++) {
    if (wanted.every((stem, offset) => transcript[position + offset] === stem)) {
      count++;
      position += wanted.length - 1;
    }
  }
  return count;
}

/** Dictionary hits under their dictionary names, then the model's other products; word forms of one name merge. */
export function mergeProducts(dictionaryHits: Mention[], modelProducts: string[]): string[] {
  const seen = new Set<string>();
  const merged: string[] = [];
  for (const name of [...dictionaryHits.map((mention) => mention.name), ...modelProducts]) {
    const key = stems(name).join(' ');
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    merged.push(name.trim());
  }
  return merged;
}
