import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, Matches, Min } from 'class-validator';
import { CALL_STATUSES, type CallStatus } from '../../calls/entities/call.entity';

export class ProcessCallDto {
  /** Re-run the analysis of an analysed call; the previous analysis stays in its history. */
  @IsOptional() @IsBoolean()
  force?: boolean;
}

export class ProcessPendingDto {
  /** Also queue calls that ended in `error`. */
  @IsOptional() @IsBoolean()
  includeErrors?: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class ReanalyzeDto {
  /** First day (YYYY-MM-DD in the settings time zone), inclusive. */
  @IsOptional() @Matches(DATE, { message: 'from must be a date YYYY-MM-DD' })
  from?: string;

  /** Last day (YYYY-MM-DD in the settings time zone), inclusive. */
  @IsOptional() @Matches(DATE, { message: 'to must be a date YYYY-MM-DD' })
  to?: string;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1)
  employeeId?: number;

  @ApiPropertyOptional({ enum: CALL_STATUSES })
  @IsOptional() @IsIn(CALL_STATUSES)
  status?: CallStatus;

  /** Ask the model again even when the transcript and the settings are unchanged (otherwise the stored analysis is reused). */
  @IsOptional() @IsBoolean()
  force?: boolean;
}

export class QueuedCountDto {
  /** Calls newly queued; calls already queued or in progress are not counted twice. */
  queued: number;
}

export class CallQueueStateDto {
  id: number;
  /** Whether this request queued the call; false when it was already queued or being processed. */
  queued: boolean;
  @ApiProperty({ enum: CALL_STATUSES })
  status: CallStatus;
  statusReason: string | null;
}
