import { ConversationMetrics, PerSpeaker, TranscriptSegment } from './call-analyzer.port';
import { tokenize } from './text-normalization';

type Side = 'manager' | 'client';
type Interval = [number, number];

/** A pause longer than this ends a monologue even when the same side speaks again. */
const MONOLOGUE_PAUSE_SEC = 3;
/** Segment timestamps jitter by a few hundred milliseconds; a smaller overlap is a handover, not an interruption. */
const INTERRUPTION_GRACE_SEC = 0.3;

/** Talk-time metrics from the transcript alone. Segments of an unknown speaker count only towards speech vs silence. */
export function computeConversationMetrics(segments: TranscriptSegment[], durationSec: number): ConversationMetrics {
  const ordered = segments
    .map((segment) => ({ ...segment, end: Math.max(segment.start, segment.end) }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const talkSec = perSide((side) => unionLength(intervalsOf(ordered, side)));
  const totalTalk = talkSec.manager + talkSec.client;
  return {
    talkRatio: perSide((side) => (totalTalk > 0 ? round(talkSec[side] / totalTalk, 3) : 0)),
    talkSec: perSide((side) => round(talkSec[side], 1)),
    longestMonologueSec: perSide((side) => round(longestMonologue(ordered, side), 1)),
    interruptions: countInterruptions(ordered),
    silenceSec: round(silence(ordered, durationSec), 1),
    managerQuestions: countQuestions(ordered),
    wordsPerMinute: perSide((side) => round(wordsPerMinute(ordered, side, talkSec[side]), 1)),
  };
}

function perSide<T>(compute: (side: Side) => T): PerSpeaker<T> {
  return { manager: compute('manager'), client: compute('client') };
}

function intervalsOf(segments: TranscriptSegment[], side?: Side): Interval[] {
  return segments.filter((segment) => !side || segment.speaker === side).map((segment): Interval => [segment.start, segment.end]);
}

function unionLength(intervals: Interval[]): number {
  let total = 0;
  let current: Interval | null = null;
  for (const [start, end] of [...intervals].sort((a, b) => a[0] - b[0])) {
    if (current && start <= current[1]) {
      current[1] = Math.max(current[1], end);
      continue;
    }
    if (current) total += current[1] - current[0];
    current = [start, end];
  }
  return total + (current ? current[1] - current[0] : 0);
}

function longestMonologue(ordered: TranscriptSegment[], side: Side): number {
  let longest = 0;
  let turn: Interval | null = null;
  for (const segment of ordered) {
    if (segment.speaker === 'unknown') continue;
    const continues = turn && segment.speaker === side && segment.start - turn[1] <= MONOLOGUE_PAUSE_SEC;
    if (continues) turn![1] = Math.max(turn![1], segment.end);
    else turn = segment.speaker === side ? [segment.start, segment.end] : null;
    if (turn) longest = Math.max(longest, turn[1] - turn[0]);
  }
  return longest;
}

function countInterruptions(ordered: TranscriptSegment[]): PerSpeaker<number> {
  const counts = { manager: 0, client: 0 };
  const lastEnd = { manager: -Infinity, client: -Infinity };
  let previousSpeaker: Side | null = null;
  for (const segment of ordered) {
    if (segment.speaker === 'unknown') continue;
    const side = segment.speaker;
    const other: Side = side === 'manager' ? 'client' : 'manager';
    if (previousSpeaker === other && segment.start < lastEnd[other] - INTERRUPTION_GRACE_SEC) counts[side]++;
    lastEnd[side] = Math.max(lastEnd[side], segment.end);
    previousSpeaker = side;
  }
  return counts;
}

function silence(ordered: TranscriptSegment[], durationSec: number): number {
  const lastEnd = ordered.reduce((latest, segment) => Math.max(latest, segment.end), 0);
  const span = Math.max(durationSec, lastEnd);
  const clipped = intervalsOf(ordered).map(([start, end]): Interval => [Math.max(0, start), Math.min(span, end)]);
  return Math.max(0, span - unionLength(clipped));
}

function countQuestions(ordered: TranscriptSegment[]): number {
  return ordered
    .filter((segment) => segment.speaker === 'manager')
    .reduce((count, segment) => count + (segment.text.match(/\?+/g)?.length ?? 0), 0);
}

function wordsPerMinute(ordered: TranscriptSegment[], side: Side, talkSec: number): number {
  if (talkSec <= 0) return 0;
  const words = ordered.filter((segment) => segment.speaker === side).reduce((count, segment) => count + tokenize(segment.text).length, 0);
  return words / (talkSec / 60);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
