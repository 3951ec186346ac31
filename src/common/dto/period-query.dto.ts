import { BadRequestException } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsDayInWindow } from '../date-window';
import { PERIODS, type PeriodName } from '../periods';
import { PageNumber, PageSize } from './paging';

/** `a,b` or a repeated parameter becomes a list. */
export const toList = ({ value }: { value: unknown }) =>
  (Array.isArray(value) ? value : String(value).split(',')).map((item) => String(item).trim()).filter(Boolean);

/** A calendar period, or inclusive dates, in the settings time zone. */
export class PeriodQueryDto {
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
  @IsOptional() @IsDayInWindow()
  from?: string;

  /**
   * Last day, inclusive, YYYY-MM-DD in the settings time zone.
   * @example "2026-03-31"
   */
  @IsOptional() @IsDayInWindow()
  to?: string;
}

/** A page of a list within a period. */
export class PagedPeriodQueryDto extends PeriodQueryDto {
  /** Page number, from 1. */
  @PageNumber()
  page: number = 1;

  /** Items per page, 1–200. */
  @PageSize(200)
  pageSize: number = 20;
}

/** A page of analysed calls or chats within a period, optionally within a score range. */
export class ScoredPageQueryDto extends PagedPeriodQueryDto {
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(100)
  minScore?: number;

  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(100)
  maxScore?: number;
}

/** A score range whose ends are the wrong way round is a 400 naming `minScore`. */
export function assertScoreRange(query: ScoredPageQueryDto): void {
  if (query.minScore !== undefined && query.maxScore !== undefined && query.minScore > query.maxScore) {
    throw new BadRequestException('minScore: must not be greater than maxScore');
  }
}
