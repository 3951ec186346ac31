import { ReportColumnType } from './report.types';

const CALENDAR_DAY = /^\d{4}-\d{2}-\d{2}$/;
const EMPTY = '—';

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** A cell as text, for PDF tables and Telegram messages. */
export function formatCell(value: unknown, type: ReportColumnType, timeZone: string): string {
  if (value === null || value === undefined || value === '') return EMPTY;
  switch (type) {
    case 'integer':
      return formatNumber(value, 0);
    case 'number':
      return formatNumber(value, 2);
    case 'percent':
      return formatPercent(value);
    case 'date':
      return formatDateValue(value, timeZone);
    case 'duration':
      return formatDuration(Number(value));
    default:
      return String(value);
  }
}

export function formatDateTime(date: Date, timeZone: string): string {
  const clock = wallClock(date, timeZone);
  return `${formatDay(clock)} ${pad(clock.hour)}:${pad(clock.minute)}`;
}

/** `3:05` below an hour, `1:02:05` from an hour up. */
export function formatDuration(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds)) return EMPTY;
  const seconds = Math.round(Math.abs(totalSeconds));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = `${pad(seconds % 60)}`;
  const sign = totalSeconds < 0 ? '-' : '';
  return hours > 0 ? `${sign}${hours}:${pad(minutes)}:${rest}` : `${sign}${minutes}:${rest}`;
}

export function isCalendarDay(value: unknown): value is string {
  return typeof value === 'string' && CALENDAR_DAY.test(value);
}

export function toDate(value: unknown): Date | undefined {
  const date = value instanceof Date ? value : typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** The date and time a clock in `timeZone` shows at `date`. */
export function wallClock(date: Date, timeZone: string): WallClock {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day'), hour: part('hour'), minute: part('minute'), second: part('second') };
}

function formatDateValue(value: unknown, timeZone: string): string {
  if (isCalendarDay(value)) {
    const [year, month, day] = value.split('-').map(Number);
    return formatDay({ year, month, day, hour: 0, minute: 0, second: 0 });
  }
  const date = toDate(value);
  return date ? formatDateTime(date, timeZone) : String(value);
}

function formatNumber(value: unknown, maximumFractionDigits: number): string {
  const number = Number(value);
  if (!Number.isFinite(number)) return String(value);
  return new Intl.NumberFormat('ru-RU', { maximumFractionDigits }).format(number).replace(/\s/g, ' ');
}

function formatPercent(value: unknown): string {
  const number = Number(value);
  if (!Number.isFinite(number)) return String(value);
  return `${formatNumber(number * 100, 1)}%`;
}

function formatDay(clock: WallClock): string {
  return `${pad(clock.day)}.${pad(clock.month)}.${clock.year}`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
