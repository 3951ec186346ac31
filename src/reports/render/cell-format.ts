import type { Formats } from '../../i18n/format';
import { isCalendarDay, toDate } from '../../i18n/format';
import { ReportColumnType } from './report.types';

export { isCalendarDay, toDate, wallClock } from '../../i18n/format';

const EMPTY = '—';

/** A cell as text, for PDF tables and Telegram messages. */
export function formatCell(value: unknown, type: ReportColumnType, timeZone: string, format: Formats): string {
  if (value === null || value === undefined || value === '') return EMPTY;
  if (type === 'string') return String(value);
  if (type === 'date') return formatDateValue(value, timeZone, format);
  const number = Number(value);
  if (!Number.isFinite(number)) return String(value);
  switch (type) {
    case 'integer':
      return format.number(number, 0);
    case 'number':
      return format.number(number, 1);
    case 'percent':
      return format.percent(number);
    case 'duration':
      return format.duration(number);
  }
}

function formatDateValue(value: unknown, timeZone: string, format: Formats): string {
  if (isCalendarDay(value)) return format.calendarDay(value);
  const date = toDate(value);
  return date ? format.dateTime(date, timeZone) : String(value);
}
