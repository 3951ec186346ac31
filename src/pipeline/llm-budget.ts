import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { addMonths, LocalDate, localDateOf, startOfLocalDay } from '../common/time-zone';
import type { Settings } from '../settings/settings.types';

export interface MonthRange {
  month: string;
  from: Date;
  to: Date;
}

/** The month (`YYYY-MM`, or the current one) as instants in the settings time zone. */
export function monthRange(timeZone: string, month?: string, now = new Date()): MonthRange {
  const first: LocalDate = month
    ? { year: Number(month.slice(0, 4)), month: Number(month.slice(5, 7)), day: 1 }
    : { ...localDateOf(now, timeZone), day: 1 };
  const next = addMonths(first, 1);
  return { month: `${first.year}-${String(first.month).padStart(2, '0')}`, from: startOfLocalDay(first, timeZone), to: startOfLocalDay({ ...next, day: 1 }, timeZone) };
}

/** The monthly LLM budget: spend is the sum of analyses' cost since the first of the month. */
@Injectable()
export class LlmBudget {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async spent(range: MonthRange): Promise<number> {
    const rows: { spent: string }[] = await this.dataSource.query(
      'SELECT coalesce(sum(cost_usd), 0) AS spent FROM analyses WHERE created_at >= $1 AND created_at < $2',
      [range.from, range.to],
    );
    return Number(rows[0].spent);
  }

  async exhausted(settings: Settings): Promise<boolean> {
    const budget = settings.analysis.monthlyBudgetUsd;
    if (budget === null || budget === undefined) return false;
    return (await this.spent(monthRange(settings.timeZone))) >= budget;
  }
}
