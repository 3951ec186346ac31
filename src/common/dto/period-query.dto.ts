import { BadRequestException } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { PERIODS, type PeriodName } from '../periods';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

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
  @IsOptional() @Matches(DATE, { message: 'from must be a date as YYYY-MM-DD' })
  from?: string;

  /**
   * Last day, inclusive, YYYY-MM-DD in the settings time zone.
   * @example "2026-03-31"
   */
  @IsOptional() @Matches(DATE, { message: 'to must be a date as YYYY-MM-DD' })
  to?: string;
}

/** A page of a list within a period. */
export class PagedPeriodQueryDto extends PeriodQueryDto {
  /** Page number, from 1. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1)
  page: number = 1;

  /** Items per page, 1–200. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200)
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
