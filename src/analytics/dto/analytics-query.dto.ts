import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { CALL_DIRECTIONS, type CallDirection } from '../../calls/entities/call.entity';
import { PeriodQueryDto, toList } from '../../common/dto/period-query.dto';
import { IsIdOrName, RowIdFilter } from '../../common/row-id';
import { GRANULARITIES, type Granularity } from '../analytics.sql';

/** The period and the filters every analytics endpoint accepts. Without period or dates: the current month. */
export class AnalyticsQueryDto extends PeriodQueryDto {
  /** @example 7 */
  @RowIdFilter()
  employeeId?: number;

  /**
   * Department id, or its whole name in any letter case (ё and е alike).
   * @example "Отдел продаж"
   */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(255) @IsIdOrName()
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
