import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { CALL_STATUSES, type CallStatus } from '../../calls/entities/call.entity';
import { IsDayInWindow } from '../../common/date-window';
import { RowIdFilter } from '../../common/row-id';

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

export class ReanalyzeDto {
  /** First day (YYYY-MM-DD in the settings time zone), inclusive. */
  @IsOptional() @IsDayInWindow()
  from?: string;

  /** Last day (YYYY-MM-DD in the settings time zone), inclusive. */
  @IsOptional() @IsDayInWindow()
  to?: string;

  @RowIdFilter()
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
