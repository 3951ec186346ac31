import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { CALL_DIRECTIONS, type CallDirection } from '../../calls/entities/call.entity';
import { IsCallStartTime } from '../../common/date-window';

/** The form fields sent with an uploaded recording. */
export class UploadCallDto {
  @IsString() @IsNotEmpty() @MaxLength(255)
  managerName: string;

  @IsOptional() @IsString() @MaxLength(64)
  clientPhone?: string;

  @ApiPropertyOptional({ enum: CALL_DIRECTIONS, default: 'incoming' })
  @IsOptional() @IsIn(CALL_DIRECTIONS)
  direction?: CallDirection;

  /** When the call began (ISO 8601, from 2000 to a day from now); the upload time when absent. */
  @IsOptional() @IsCallStartTime()
  startedAt?: string;
}

export class UploadedCallDto {
  id: number;
  @ApiProperty({ enum: ['upload'] })
  source: 'upload';
  status: string;
  statusReason: string | null;
  employeeId: number | null;
  recordingBytes: number;
  recordingMime: string;
}
