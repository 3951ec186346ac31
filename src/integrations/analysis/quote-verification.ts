import { TranscriptSegment } from './call-analyzer.port';
import { levenshtein, tokenize } from './text-normalization';

export interface QuoteLocation {
  segmentIndex: number;
  /** Start of the segment where the quote begins, in seconds. */
  time: number;
  /** 1 for an exact match (after normalisation), lower for a fuzzy one. */
  similarity: number;
}

/** Below this character similarity a quote counts as not found: enough for recogniser slips, not for paraphrase. */
const MIN_SIMILARITY = 0.8;
/** Fuzzy matching of one or two words would accept almost anything. */
const MIN_FUZZY_TOKENS = 3;

interface TranscriptTokens {
  tokens: string[];
  segmentOf: number[];
}

/** Finds a model's quote in the transcript, tolerating case, ё, punctuation, `…` elisions and small recogniser slips. */
export function locateQuote(quote: string, segments: TranscriptSegment[]): QuoteLocation | null {
  const fragments = quote.split(/\.{3}|…/).map(tokenize).filter((tokens) => tokens.length > 0);
  if (fragments.length === 0) return null;
  const transcript = transcriptTokens(segments);
  let from = 0;
  let first: { position: number; similarity: number } | null = null;
  for (const fragment of fragments) {
    const match = locateFragment(fragment, transcript.tokens, from);
    if (!match) return null;
    first ??= match;
    from = match.position + 1;
  }
  const segmentIndex = transcript.segmentOf[first!.position];
  return { segmentIndex, time: segments[segmentIndex].start, similarity: first!.similarity };
}

function transcriptTokens(segments: TranscriptSegment[]): TranscriptTokens {
  const result: TranscriptTokens = { tokens: [], segmentOf: [] };
  segments.forEach((segment, index) => {
    for (const token of tokenize(segment.text)) {
      result.tokens.push(token);
      result.segmentOf.push(index);
    }
  });
  return result;
}

function locateFragment(fragment: string[], tokens: string[], from: number): { position: number; similarity: number } | null {
  const exact = findExact(fragment, tokens, from);
  if (exact >= 0) return { position: exact, similarity: 1 };
  return fragment.length >= MIN_FUZZY_TOKENS ? findFuzzy(fragment, tokens, from) : null;
}

function findExact(fragment: string[], tokens: string[], from: number): number {
  for (let position = from; position + fragment.length <= tokens.length; position++) {
    if (fragment.every((token, offset) => tokens[position + offset] === token)) return position;
  }
  return -1;
}

function findFuzzy(fragment: string[], tokens: string[], from: number): { position: number; similarity: number } | null {
  const wanted = new Set(fragment);
  const joined = fragment.join(' ');
  let best: { position: number; similarity: number } | null = null;
  for (let position = from; position < tokens.length; position++) {
    for (const length of [fragment.length - 1, fragment.length, fragment.length + 1]) {
      const window = tokens.slice(position, position + length);
      if (window.length < length || sharedTokens(window, wanted) < fragment.length / 2) continue;
      const candidate = window.join(' ');
      const similarity = 1 - levenshtein(joined, candidate) / Math.max(joined.length, candidate.length);
      if (similarity >= MIN_SIMILARITY && (!best || similarity > best.similarity)) best = { position, similarity };
    }
  }
  return best;
}

function sharedTokens(window: string[], wanted: Set<string>): number {
  return window.filter((token) => wanted.has(token)).length;
}
