import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ScoredPageQueryDto, toList } from '../../common/dto/period-query.dto';
import { IsIdOrName, RowIdFilter } from '../../common/row-id';
import { CALL_DIRECTIONS, CALL_SOURCES, CALL_STATUSES, type CallDirection, type CallSource, type CallStatus } from '../entities/call.entity';

export const CALL_SORTS = ['startedAt', '-startedAt', 'scoreOverall', '-scoreOverall', 'durationSec', '-durationSec', 'id', '-id'] as const;
export type CallSort = (typeof CALL_SORTS)[number];
const RISK_LEVELS = ['low', 'medium', 'high'] as const;

export class ListCallsQuery extends ScoredPageQueryDto {
  /** Case-insensitive part of the manager name. */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(100)
  managerName?: string;

  @RowIdFilter()
  employeeId?: number;

  /** Department id, or its whole name in any letter case (ё and е alike). */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(255) @IsIdOrName()
  department?: string;

  /** One status or several, comma-separated. */
  @IsOptional() @Transform(toList) @IsIn(CALL_STATUSES, { each: true })
  status?: CallStatus[];

  @IsOptional() @Transform(toList) @IsIn(RISK_LEVELS, { each: true })
  riskLevel?: Array<(typeof RISK_LEVELS)[number]>;

  @IsOptional() @Transform(toList) @IsIn(CALL_DIRECTIONS, { each: true })
  direction?: CallDirection[];

  @IsOptional() @Transform(toList) @IsIn(CALL_SOURCES, { each: true })
  source?: CallSource[];

  /** Client phone in any format; matched on its last ten digits. */
  @IsOptional() @Matches(/^[\d\s()+-]{3,32}$/, { message: 'clientPhone must be a phone number' })
  clientPhone?: string;

  @RowIdFilter()
  crmEntityId?: number;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(100)
  tag?: string;

  @IsOptional() @IsString() @MinLength(1) @MaxLength(100)
  product?: string;

  /** Full-text search in transcripts, Russian and English word forms. */
  @IsOptional() @IsString() @MinLength(2) @MaxLength(200)
  q?: string;

  /** Sort key; a leading `-` sorts descending. */
  @IsOptional() @IsIn(CALL_SORTS)
  sort: CallSort = '-startedAt';
}
