import { IsOptional } from 'class-validator';
import { IsMonthInWindow } from '../../common/date-window';

export class CostsQueryDto {
  /** The month, YYYY-MM; the current month in the settings time zone when absent. */
  @IsOptional() @IsMonthInWindow()
  month?: string;
}

export class CostsDto {
  month: string;
  timeZone: string;
  /** Every analysis this month, calls and chats. */
  spentUsd: number;
  /** The part of it spent on calls. */
  callsSpentUsd: number;
  /** Analyses of calls this month (re-analyses included). */
  callAnalyses: number;
  /** Distinct calls analysed this month. */
  callsAnalyzed: number;
  analyzedMinutes: number;
  costPerAnalyzedMinuteUsd: number | null;
  budgetUsd: number | null;
  remainingUsd: number | null;
  /** Spend has reached the budget: analysis waits for next month or a higher budget. */
  paused: boolean;
  /** Calls parked at `transcribed` / `budget_paused`. */
  pausedCalls: number;
}
