/** Calendar arithmetic in an IANA time zone with Intl only. */

export interface LocalDate {
  year: number;
  month: number; // 1..12
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

export function isTimeZone(value: string): boolean {
  try {
    formatter(value);
    return true;
  } catch {
    return false;
  }
}

function zonedParts(instant: Date, timeZone: string): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return parts;
}

/** Offset of the zone from UTC at an instant, in milliseconds. */
function offsetAt(instant: Date, timeZone: string): number {
  const p = zonedParts(instant, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** Day starts already computed: every period filter asks for the same few, and Intl is slow. */
const dayStarts = new Map<string, number>();
const DAY_STARTS_KEPT = 10_000;

/** The instant at which the local wall-clock time `date 00:00` (plus hours) begins in the zone. */
export function startOfLocalDay(date: LocalDate, timeZone: string, hours = 0, minutes = 0): Date {
  const key = `${timeZone}|${date.year}-${date.month}-${date.day}|${hours}:${minutes}`;
  let start = dayStarts.get(key);
  if (start === undefined) {
    if (dayStarts.size >= DAY_STARTS_KEPT) dayStarts.clear();
    const guess = Date.UTC(date.year, date.month - 1, date.day, hours, minutes);
    const first = guess - offsetAt(new Date(guess), timeZone);
    dayStarts.set(key, (start = guess - offsetAt(new Date(first), timeZone)));
  }
  return new Date(start);
}

/** Per zone, the local day last asked for and the instants it spans: nearly every request asks for today. */
const lastDays = new Map<string, { date: LocalDate; from: number; to: number }>();

export function localDateOf(instant: Date, timeZone: string): LocalDate {
  const time = instant.getTime();
  const known = lastDays.get(timeZone);
  if (known && time >= known.from && time < known.to) return { ...known.date };
  const p = zonedParts(instant, timeZone);
  const date = { year: p.year, month: p.month, day: p.day };
  lastDays.set(timeZone, { date, from: startOfLocalDay(date, timeZone).getTime(), to: startOfLocalDay(addDays(date, 1), timeZone).getTime() });
  return { ...date };
}

/** Adds days to a calendar date (no time zone involved). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

export function addMonths(date: LocalDate, months: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1 + months, 1));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: date.day };
}

/** ISO weekday, 1 = Monday. */
export function weekday(date: LocalDate): number {
  return ((new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay() + 6) % 7) + 1;
}

export function parseLocalDate(text: string): LocalDate | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  const check = new Date(Date.UTC(date.year, date.month - 1, date.day));
  return check.getUTCMonth() + 1 === date.month && check.getUTCDate() === date.day ? date : undefined;
}

export function formatLocalDate(date: LocalDate): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.year}-${pad(date.month)}-${pad(date.day)}`;
}
