export class PeriodDto {
  /**
   * First day, inclusive, in the settings time zone.
   * @example "2026-03-01"
   */
  from: string;
  /**
   * Last day, inclusive.
   * @example "2026-03-31"
   */
  to: string;
}

export class CriteriaDto {
  /** Average 1–5 score. @example 4.2 */
  greeting: number | null;
  needs: number | null;
  presentation: number | null;
  objections: number | null;
  closing: number | null;
  tone: number | null;
}

export class RiskCountsDto {
  /** @example 40 */
  low: number;
  /** @example 8 */
  medium: number;
  /** @example 2 */
  high: number;
}

export class EmployeeStatsDto {
  /** @example 7 */
  employeeId: number;
  /** @example "Анна Смирнова" */
  name: string;
  /**
   * Primary department.
   * @example "Отдел продаж"
   */
  department: string | null;
  /** Every department, primary first. */
  departments: string[];
  /** @example 50 */
  calls: number;
  /** @example 45 */
  analyzedCalls: number;
  /** @example 3 */
  missedCalls: number;
  /** @example 9000 */
  totalDurationSec: number;
  /**
   * Average duration of answered calls.
   * @example 192
   */
  avgDurationSec: number | null;
  /**
   * Average overall score, 0–100.
   * @example 71.5
   */
  avgScore: number | null;
  /**
   * Average score in the previous period of equal length.
   * @example 68
   */
  prevAvgScore: number | null;
  /** @example 3.5 */
  scoreDelta: number | null;
  /** Average of each score key over the latest analyses. */
  criteria: CriteriaDto;
  riskCounts: RiskCountsDto;
  /**
   * Average share of speech time taken by the manager, 0–1.
   * @example 0.55
   */
  talkRatio: number | null;
  /**
   * 1 = best average score.
   * @example 1
   */
  rank: number;
}

export class EmployeesAnalyticsDto extends PeriodDto {
  /** @example "Europe/Moscow" */
  timeZone: string;
  previous: PeriodDto;
  items: EmployeeStatsDto[];
}

export class TrendPointDto {
  /**
   * First day of the bucket in the settings time zone.
   * @example "2026-03-02"
   */
  date: string;
  /** @example 120 */
  calls: number;
  /** @example 110 */
  analyzedCalls: number;
  /** @example 70.4 */
  avgScore: number | null;
  /** @example 4 */
  highRiskCalls: number;
  /** @example 185 */
  avgDurationSec: number | null;
}

export class MentionDto {
  /** @example "Доставка" */
  name: string;
  /** @example 12 */
  count: number;
  /** @example 9 */
  previousCount: number;
  /**
   * count − previousCount.
   * @example 3
   */
  change: number;
}

export class SentimentCountsDto {
  /** @example 60 */
  positive: number;
  /** @example 40 */
  neutral: number;
  /** @example 10 */
  negative: number;
}

export class TrendsDto extends PeriodDto {
  /** @example "Europe/Moscow" */
  timeZone: string;
  /** @example "day" */
  granularity: string;
  previous: PeriodDto;
  series: TrendPointDto[];
  products: MentionDto[];
  refusalReasons: MentionDto[];
  tags: MentionDto[];
  /** Client sentiment of the analysed calls. */
  sentiment: SentimentCountsDto;
}

export class MetricChangeDto {
  /** @example 120 */
  value: number | null;
  /** @example 100 */
  previous: number | null;
  /**
   * value − previous.
   * @example 20
   */
  change: number | null;
  /**
   * Change in percent of the previous value; null when there was nothing before.
   * @example 20
   */
  changePercent: number | null;
}

export class SummaryDto extends PeriodDto {
  /** @example "Europe/Moscow" */
  timeZone: string;
  previous: PeriodDto;
  calls: MetricChangeDto;
  analyzedCalls: MetricChangeDto;
  avgScore: MetricChangeDto;
  highRiskCalls: MetricChangeDto;
  missedCalls: MetricChangeDto;
}
