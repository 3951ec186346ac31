import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class ListSyncRunsQuery {
  /** Page number, from 1. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1)
  page: number = 1;

  /** Runs per page, 1–100. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100)
  pageSize: number = 20;
}
