import { IsBoolean, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { GRANULARITIES, type Granularity } from '../../analytics/analytics.sql';
import { AnalyticsQueryDto } from '../../analytics/dto/analytics-query.dto';
import { PageNumber, PageSize } from '../../common/dto/paging';
import { REPORT_TYPES, type ReportType } from '../report.entity';

/** The period and filters of the report, as for analytics; the digest defaults to today. */
export class GenerateReportDto extends AnalyticsQueryDto {
  /**
   * Send the report to the Telegram chat.
   * @example true
   */
  @IsOptional() @IsBoolean()
  send: boolean = true;

  /**
   * problematic-calls: calls scoring below this count as well as high-risk ones (default: the medium-risk threshold).
   * @example 50
   */
  @IsOptional() @IsInt() @Min(0) @Max(100)
  maxScore?: number;

  /**
   * trends: size of a series bucket.
   * @example "day"
   */
  @IsOptional() @IsIn(GRANULARITIES)
  granularity?: Granularity;
}

export class ListReportsQueryDto {
  /** @example 1 */
  @PageNumber()
  page: number = 1;

  /** @example 20 */
  @PageSize(200)
  pageSize: number = 20;

  /** @example "employees" */
  @IsOptional() @IsIn(REPORT_TYPES)
  type?: ReportType;
}

export class DownloadReportQueryDto {
  /** @example "pdf" */
  @IsIn(['pdf', 'xlsx'])
  format: 'pdf' | 'xlsx';
}

export class ReportDto {
  /** @example 12 */
  id: number;
  /** @example "employees" */
  type: string;
  /** @example "Leaderboard of managers" */
  title: string;
  /**
   * First day of the period, inclusive, in the settings time zone.
   * @example "2026-03-01"
   */
  from: string;
  /** @example "2026-03-31" */
  to: string;
  /** The filters it was generated with. */
  params: Record<string, unknown>;
  /** @example "sent" */
  deliveryStatus: 'not_sent' | 'sent' | 'failed';
  /** Why Telegram delivery failed or did not happen. */
  deliveryError: string | null;
  sentAt: string | null;
  /** @example "2026-04-01T06:00:00.000Z" */
  createdAt: string;
}

export class ReportDetailsDto extends ReportDto {
  /** Everything the report shows: summary lines, tables and charts. */
  data: Record<string, unknown>;
}

export class ReportListDto {
  items: ReportDto[];
  /** @example 1 */
  page: number;
  /** @example 20 */
  pageSize: number;
  /** @example 3 */
  total: number;
}

export class DeliveryDto {
  /** @example "sent" */
  status: 'not_sent' | 'sent' | 'failed';
  /** @example null */
  error: string | null;
  /** Telegram message ids, the chart photo first. */
  messageIds: number[];
}

export class GeneratedReportDto extends ReportDetailsDto {
  /** What happened with Telegram; a failure there does not fail the request. */
  delivery: DeliveryDto;
}

export class TestTelegramResultDto {
  /** @example true */
  ok: boolean;
  /** @example 42 */
  messageId: number;
}
