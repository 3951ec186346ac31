import { IntegrationError } from '../../common/errors';
import { ChannelLayout, Speaker, TranscriptResult, TranscriptSegment } from './transcriber.port';

const SPEAKERS: ReadonlySet<string> = new Set<Speaker>(['manager', 'client', 'unknown']);
const LAYOUTS: ReadonlySet<string> = new Set<ChannelLayout>(['stereo', 'mono', 'dual_mono']);
const TIME_TOLERANCE_SEC = 0.5;

/** The worker's answer is checked field by field before anything downstream trusts it. */
export function validateTranscript(raw: unknown): TranscriptResult {
  const result = asRecord(raw, 'result');
  const durationSec = nonNegative(result.durationSec, 'durationSec');
  const segments = asArray(result.segments, 'segments').map((segment, index) => validSegment(segment, index, durationSec));
  segments.forEach((segment, index) => {
    if (index > 0 && segment.start < segments[index - 1].start) invalid(`segments[${index}] starts before segments[${index - 1}]`);
  });
  const dropped = count(result.dropped, 'dropped');
  if (typeof result.channelLayout !== 'string' || !LAYOUTS.has(result.channelLayout)) invalid(`channelLayout ${JSON.stringify(result.channelLayout)} is not stereo, mono or dual_mono`);
  return {
    text: text(result.text, 'text'),
    language: text(result.language, 'language'),
    durationSec,
    segments,
    engine: text(result.engine, 'engine'),
    model: text(result.model, 'model'),
    dropped,
    channelLayout: result.channelLayout as ChannelLayout,
    sentSec: nonNegative(result.sentSec, 'sentSec'),
    requests: count(result.requests, 'requests'),
  };
}

function count(value: unknown, where: string): number {
  const number = nonNegative(value, where);
  if (!Number.isInteger(number)) invalid(`${where} is not an integer`);
  return number;
}

function validSegment(raw: unknown, index: number, durationSec: number): TranscriptSegment {
  const where = `segments[${index}]`;
  const segment = asRecord(raw, where);
  const start = nonNegative(segment.start, `${where}.start`);
  const end = nonNegative(segment.end, `${where}.end`);
  if (end < start) invalid(`${where} ends (${end}) before it starts (${start})`);
  if (end > durationSec + TIME_TOLERANCE_SEC) invalid(`${where} ends at ${end}s, past the audio duration ${durationSec}s`);
  if (typeof segment.speaker !== 'string' || !SPEAKERS.has(segment.speaker)) invalid(`${where}.speaker ${JSON.stringify(segment.speaker)} is not manager, client or unknown`);
  return { start, end, speaker: segment.speaker as Speaker, text: text(segment.text, `${where}.text`) };
}

function asRecord(value: unknown, where: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) invalid(`${where} is not an object`);
  return value as Record<string, unknown>;
}

function asArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) invalid(`${where} is not a list`);
  return value as unknown[];
}

function nonNegative(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) invalid(`${where} is not a non-negative number`);
  return value as number;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string') invalid(`${where} is not a string`);
  return value as string;
}

function invalid(reason: string): never {
  throw new IntegrationError('transcription', 'bad_response', `transcription result is invalid: ${reason}`);
}
