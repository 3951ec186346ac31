import { BadRequestException } from '@nestjs/common';
import { addDays, parseLocalDate, startOfLocalDay } from '../common/time-zone';

export const MAX_RANGE_DAYS = 366;
/** Clocks differ a little; a `to` this far ahead of ours still counts as now. */
const CLOCK_SKEW_MS = 60_000;

/**
 * `{from, to}` of POST /calls/sync-range as instants: a date alone is a whole day in the settings time zone.
 * A `to` day that has begun ends now. Bad ranges are a 400 naming the field.
 */
export function resolveSyncRange(input: { from: string; to: string }, timeZone: string, now: Date): { from: Date; to: Date } {
  const from = bounds(input.from, timeZone).start;
  const to = bounds(input.to, timeZone);
  if (from.getTime() > now.getTime() + CLOCK_SKEW_MS) fail('from: must not be in the future');
  if (to.start.getTime() > now.getTime() + CLOCK_SKEW_MS) fail('to: must not be in the future');
  const end = new Date(Math.min(to.end.getTime(), now.getTime()));
  if (from.getTime() > end.getTime()) fail('to: must not be before from');
  if (end.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000) fail(`to: the range must not be longer than ${MAX_RANGE_DAYS} days`);
  return { from, to: end };
}

function bounds(text: string, timeZone: string): { start: Date; end: Date } {
  const day = parseLocalDate(text);
  if (day) return { start: startOfLocalDay(day, timeZone), end: new Date(startOfLocalDay(addDays(day, 1), timeZone).getTime() - 1000) };
  const instant = new Date(text);
  return { start: instant, end: instant };
}

function fail(message: string): never {
  throw new BadRequestException(message);
}
