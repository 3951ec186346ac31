import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { CALL_DIRECTIONS, type CallDirection, EMPLOYEE_CHANNELS, type EmployeeChannel } from '../../calls/entities/call.entity';
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

  /** The channel of a stereo recording that carries the employee, or `mono` for one mix; default: the `transcription.employeeChannel.upload` setting. */
  @ApiPropertyOptional({ enum: EMPLOYEE_CHANNELS })
  @IsOptional() @IsIn(EMPLOYEE_CHANNELS)
  employeeChannel?: EmployeeChannel;
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
