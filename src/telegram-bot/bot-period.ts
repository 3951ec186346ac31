import { PeriodName } from '../common/periods';
import { parseLocalDate } from '../common/time-zone';

export type BotPeriod = { period: PeriodName } | { from: string; to: string };

const WORDS: Record<string, PeriodName> = {
  today: 'today', сегодня: 'today',
  week: 'week', неделя: 'week', неделю: 'week',
  month: 'month', месяц: 'month',
  quarter: 'quarter', квартал: 'quarter',
  year: 'year', год: 'year',
};

/** The current month when nothing is given. */
export const DEFAULT_PERIOD: BotPeriod = { period: 'month' };

/** A period word (in English or Russian), or one or two dates as YYYY-MM-DD; undefined when the words are neither. */
export function parsePeriod(args: string[]): BotPeriod | undefined {
  if (args.length === 0) return DEFAULT_PERIOD;
  if (args.length === 1 && WORDS[args[0].toLowerCase()]) return { period: WORDS[args[0].toLowerCase()] };
  const days = args.flatMap((arg) => arg.split(/\.\.|—|–/)).filter(Boolean);
  if (days.length > 2 || !days.every((day) => /^\d{4}-\d{2}-\d{2}$/.test(day) && parseLocalDate(day))) return undefined;
  const [from, to = from] = days;
  return from <= to ? { from, to } : undefined;
}
