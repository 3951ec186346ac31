import type { Language } from './language';

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const CALENDAR_DAY = /^\d{4}-\d{2}-\d{2}$/;

const SHORT_MONTHS: Record<Language, string[]> = {
  ru: ['янв', 'фев', 'мар', 'апр', 'май', 'июн', 'июл', 'авг', 'сен', 'окт', 'ноя', 'дек'],
  en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
};

const clockFormats = new Map<string, Intl.DateTimeFormat>();

/** Numbers, dates and durations as a reader of the language writes them. */
export class Formats {
  private readonly numbers = new Map<number, Intl.NumberFormat>();
  private readonly plurals: Intl.PluralRules;

  constructor(readonly language: Language) {
    this.plurals = new Intl.PluralRules(language === 'ru' ? 'ru-RU' : 'en-GB');
  }

  /** `1 234,5` in Russian, `1,234.5` in English; the thousands space is a plain one so monospace tables align. */
  number(value: number, maximumFractionDigits = 0): string {
    let format = this.numbers.get(maximumFractionDigits);
    if (!format) {
      format = new Intl.NumberFormat(this.language === 'ru' ? 'ru-RU' : 'en-GB', { maximumFractionDigits });
      this.numbers.set(maximumFractionDigits, format);
    }
    return format.format(value).replace(/\s/g, ' ');
  }

  /** A fraction (0.42) as `42%`. */
  percent(fraction: number): string {
    return `${this.number(Math.round(fraction * 1000) / 10, 1)}%`;
  }

  /** `3:05` below an hour, `1:02:05` from an hour up. */
  duration(totalSeconds: number): string {
    const seconds = Math.round(Math.abs(totalSeconds));
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const sign = totalSeconds < 0 ? '-' : '';
    return hours > 0 ? `${sign}${hours}:${pad(minutes)}:${pad(seconds % 60)}` : `${sign}${minutes}:${pad(seconds % 60)}`;
  }

  /** `02.03.2026` in Russian, `2 Mar 2026` in English. */
  day(clock: Pick<WallClock, 'year' | 'month' | 'day'>): string {
    if (this.language === 'ru') return `${pad(clock.day)}.${pad(clock.month)}.${clock.year}`;
    return `${clock.day} ${SHORT_MONTHS.en[clock.month - 1]} ${clock.year}`;
  }

  /** A calendar day (`YYYY-MM-DD`) as `day` writes it. */
  calendarDay(day: string): string {
    return this.day(parseDay(day));
  }

  dateTime(date: Date, timeZone: string): string {
    const clock = wallClock(date, timeZone);
    return `${this.day(clock)}${this.language === 'ru' ? '' : ','} ${pad(clock.hour)}:${pad(clock.minute)}`;
  }

  /** A short axis label for a day: `02.03` or `2 Mar`. */
  shortDay(day: string): string {
    const { month, day: date } = parseDay(day);
    return this.language === 'ru' ? `${pad(date)}.${pad(month)}` : `${date} ${SHORT_MONTHS.en[month - 1]}`;
  }

  /** A month as an axis label: `мар 2026`, `Mar 2026`. */
  month(day: string): string {
    const { year, month } = parseDay(day);
    return `${SHORT_MONTHS[this.language][month - 1]} ${year}`;
  }

  /** Inclusive calendar days: one day, or `02.03.2026 – 08.03.2026`. */
  period(from: string, to: string): string {
    return from === to ? this.calendarDay(from) : `${this.calendarDay(from)} – ${this.calendarDay(to)}`;
  }

  /** The plural form for a count: Russian has one, few and many (1 звонок, 2 звонка, 5 звонков). */
  plural(count: number, forms: { one: string; few: string; many: string }): string {
    const rule = this.plurals.select(count);
    const form = rule === 'one' ? forms.one : rule === 'few' ? forms.few : forms.many;
    return `${this.number(count)} ${form}`;
  }
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
  let format = clockFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    clockFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day'), hour: part('hour'), minute: part('minute'), second: part('second') };
}

function parseDay(day: string): { year: number; month: number; day: number } {
  const [year, month, date] = day.slice(0, 10).split('-').map(Number);
  return { year, month, day: date };
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
