import { isISO8601, ValidateBy } from 'class-validator';
import { parseLocalDate } from './time-zone';

/**
 * The dates the API takes. Nothing here happened before 2000, and calendars five years ahead are far enough for
 * any filter; the window also keeps every date well inside what JavaScript, Intl's time-zone data and PostgreSQL
 * handle alike.
 */
export const FIRST_YEAR = 2000;
export const YEARS_AHEAD = 5;
/** A call cannot have started later than this ahead of our clock (a sender's clock or zone may be off). */
export const START_TIME_SLACK_MS = 86_400_000;

export function lastYear(now = new Date()): number {
  return now.getUTCFullYear() + YEARS_AHEAD;
}

/** `YYYY-MM-DD`, a real calendar day, within the window. */
export function isDayInWindow(text: string, now = new Date()): boolean {
  const day = parseLocalDate(text);
  return day !== undefined && day.year >= FIRST_YEAR && day.year <= lastYear(now);
}

export function dayWindowText(now = new Date()): string {
  return `from ${FIRST_YEAR}-01-01 to ${lastYear(now)}-12-31`;
}

/** A calendar day as `YYYY-MM-DD` within the window. */
export const IsDayInWindow = () =>
  ValidateBy({
    name: 'isDayInWindow',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isDayInWindow(value),
      defaultMessage: () => `$property must be a date as YYYY-MM-DD ${dayWindowText()}`,
    },
  });

/** A month as `YYYY-MM` within the window. */
export const IsMonthInWindow = () =>
  ValidateBy({
    name: 'isMonthInWindow',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && /^\d{4}-\d{2}$/.test(value) && isDayInWindow(`${value}-01`),
      defaultMessage: () => `$property must be a month as YYYY-MM from ${FIRST_YEAR}-01 to ${lastYear()}-12`,
    },
  });

/** When a call started: ISO 8601, not before 2000 and not more than a day ahead of now. */
export function isCallStartTime(value: unknown, now = new Date()): boolean {
  if (typeof value !== 'string' || !isISO8601(value, { strict: true })) return false;
  const time = Date.parse(value);
  return time >= Date.UTC(FIRST_YEAR, 0, 1) && time <= now.getTime() + START_TIME_SLACK_MS;
}

export const IsCallStartTime = () =>
  ValidateBy({
    name: 'isCallStartTime',
    validator: {
      validate: (value: unknown) => isCallStartTime(value),
      defaultMessage: () => `$property must be an ISO 8601 date-time from ${FIRST_YEAR}-01-01 to a day from now`,
    },
  });
