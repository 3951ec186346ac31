import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min, MinLength } from 'class-validator';
import { CALL_DIRECTIONS, type CallDirection } from '../../calls/entities/call.entity';
import { PERIODS, type PeriodName } from '../../common/periods';
import { GRANULARITIES, type Granularity } from '../analytics.sql';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const toList = ({ value }: { value: unknown }) =>
  (Array.isArray(value) ? value : String(value).split(',')).map((item) => String(item).trim()).filter(Boolean);

/** The period and the filters every analytics endpoint accepts. Without period or dates: the current month. */
export class AnalyticsQueryDto {
  /**
   * A calendar period in the settings time zone.
   * @example "month"
   */
  @IsOptional() @IsIn(PERIODS)
  period?: PeriodName;

  /**
   * First day, inclusive, YYYY-MM-DD in the settings time zone.
   * @example "2026-03-01"
   */
  @IsOptional() @Matches(DATE, { message: 'from must be a date as YYYY-MM-DD' })
  from?: string;

  /**
   * Last day, inclusive, YYYY-MM-DD in the settings time zone.
   * @example "2026-03-31"
   */
  @IsOptional() @Matches(DATE, { message: 'to must be a date as YYYY-MM-DD' })
  to?: string;

  /** @example 7 */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1)
  employeeId?: number;

  /**
   * Department id or exact name.
   * @example "Отдел продаж"
   */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(255)
  department?: string;

  /**
   * One direction or several, comma-separated.
   */
  @IsOptional() @Transform(toList) @IsIn(CALL_DIRECTIONS, { each: true })
  direction?: CallDirection[];
}

export class TrendsQueryDto extends AnalyticsQueryDto {
  /**
   * Size of a series bucket in the settings time zone; weeks start on Monday.
   * @example "day"
   */
  @IsOptional() @IsIn(GRANULARITIES)
  granularity: Granularity = 'day';
}
