import { BadRequestException } from '@nestjs/common';
import { dayWindowText, FIRST_YEAR, isDayInWindow } from './date-window';
import { addDays, addMonths, formatLocalDate, LocalDate, localDateOf, parseLocalDate, startOfLocalDay, weekday } from './time-zone';

export const PERIODS = ['today', 'week', 'month', 'quarter', 'year'] as const;
export type PeriodName = (typeof PERIODS)[number];

/** A half-open interval of instants [from, to), with the calendar dates it covers. */
export interface DateRange {
  from: Date;
  to: Date;
  firstDay: string;
  lastDay: string;
}

function rangeOfDays(first: LocalDate, last: LocalDate, timeZone: string): DateRange {
  return {
    from: startOfLocalDay(first, timeZone),
    to: startOfLocalDay(addDays(last, 1), timeZone),
    firstDay: formatLocalDate(first),
    lastDay: formatLocalDate(last),
  };
}

/** The calendar period containing `now` in the zone: weeks run Monday to Sunday. */
export function calendarPeriod(period: PeriodName, timeZone: string, now = new Date()): DateRange {
  const today = localDateOf(now, timeZone);
  switch (period) {
    case 'today':
      return rangeOfDays(today, today, timeZone);
    case 'week': {
      const monday = addDays(today, 1 - weekday(today));
      return rangeOfDays(monday, addDays(monday, 6), timeZone);
    }
    case 'month': {
      const first = { ...today, day: 1 };
      return rangeOfDays(first, addDays({ ...addMonths(first, 1), day: 1 }, -1), timeZone);
    }
    case 'quarter': {
      const first = { year: today.year, month: Math.floor((today.month - 1) / 3) * 3 + 1, day: 1 };
      return rangeOfDays(first, addDays({ ...addMonths(first, 3), day: 1 }, -1), timeZone);
    }
    case 'year':
      return rangeOfDays({ year: today.year, month: 1, day: 1 }, { year: today.year, month: 12, day: 31 }, timeZone);
  }
}

export interface PeriodQuery {
  period?: PeriodName;
  from?: string;
  to?: string;
}

/**
 * Resolves `period` or inclusive `from`/`to` dates (YYYY-MM-DD in the zone) to an interval; none
 * of them means no date limit. Contradictory or malformed input is a 400 naming the parameter.
 */
export function resolveDateRange(query: PeriodQuery, timeZone: string, now = new Date()): DateRange | undefined {
  if (query.period && (query.from || query.to)) {
    throw new BadRequestException('period: give either period or from/to, not both');
  }
  if (query.period) return calendarPeriod(query.period, timeZone, now);
  if (!query.from && !query.to) return undefined;
  const first = query.from ? parseDay('from', query.from, now) : { year: FIRST_YEAR, month: 1, day: 1 };
  const last = query.to ? parseDay('to', query.to, now) : localDateOf(now, timeZone);
  if (formatLocalDate(first) > formatLocalDate(last)) throw new BadRequestException('from: must not be after to');
  return rangeOfDays(first, last, timeZone);
}

function parseDay(name: string, value: string, now: Date): LocalDate {
  const day = value.slice(0, 10);
  if (!isDayInWindow(day, now) || (value.length > 10 && Number.isNaN(Date.parse(value)))) {
    throw new BadRequestException(`${name}: must be a date as YYYY-MM-DD ${dayWindowText(now)}`);
  }
  return parseLocalDate(day)!;
}

/** The interval of equal length just before the given one (for "change against the previous period"). */
export function previousRange(range: DateRange, timeZone: string): DateRange {
  const first = parseLocalDate(range.firstDay)!;
  const last = parseLocalDate(range.lastDay)!;
  const days = Math.round((Date.UTC(last.year, last.month - 1, last.day) - Date.UTC(first.year, first.month - 1, first.day)) / 86_400_000) + 1;
  return rangeOfDays(addDays(first, -days), addDays(first, -1), timeZone);
}
