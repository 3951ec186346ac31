import { Transform } from 'class-transformer';
import {
  IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min,
} from 'class-validator';
import { CALL_DIRECTIONS, type CallDirection, EMPLOYEE_CHANNELS, type EmployeeChannel } from '../../calls/entities/call.entity';
import { IsCallStartTime } from '../../common/date-window';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** A call from any telephony, posted as JSON to the incoming webhook. */
export class GenericCallEventDto {
  /** The only generic event type. @example "call" */
  @IsIn(['call'], { message: 'type must be "call" (or send a Bitrix24 event with `event`)' })
  type: 'call';

  /** The sender's id of the call: the same id again updates that call instead of creating another. @example "pbx-2026-11-20-0042" */
  @IsOptional() @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(128)
  externalId?: string;

  /** @example "+79161234567" */
  @Transform(trim) @IsString() @Matches(/^[\d\s()+-]{3,32}$/, { message: 'clientPhone must be a phone number' })
  clientPhone: string;

  /** Linked to the employee of that name (case-insensitive) when there is one. @example "Анна Смирнова" */
  @Transform(trim) @IsString() @IsNotEmpty() @MaxLength(255)
  managerName: string;

  /** ISO 8601 with an offset, from 2000 to a day from now; default: when the event arrived. @example "2026-11-20T12:15:00+03:00" */
  @IsOptional() @IsCallStartTime()
  startedAt?: string;

  /** @example 184 */
  @IsOptional() @IsInt() @Min(0) @Max(86_400)
  durationSec?: number;

  /** @example "incoming" */
  @IsOptional() @IsIn(CALL_DIRECTIONS)
  direction?: CallDirection;

  /** The recording, downloaded by the pipeline: http(s) only, no private addresses. @example "https://pbx.example.com/records/42.mp3" */
  @IsString()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }, { message: 'recordUrl must be an http(s) URL' })
  @MaxLength(2048)
  recordUrl: string;

  /** The channel of a stereo recording that carries the employee, or `mono` for one mix; default: the `transcription.employeeChannel.webhook` setting. @example "left" */
  @IsOptional() @IsIn(EMPLOYEE_CHANNELS)
  employeeChannel?: EmployeeChannel;

  /** Queue the call for processing; default: the `analysis.autoProcess` setting. @example true */
  @IsOptional() @IsBoolean()
  autoProcess?: boolean;
}

export class WebhookReplyDto {
  /** @example true */
  ok: boolean;
  /** The stored `webhook_events` row. @example 311 */
  eventId: number;
  /** `processed` (generic calls), `accepted` (Bitrix24 events, worked on in the background) or `ignored`. @example "accepted" */
  status: string;
  /** Generic call events: the call created or updated. @example 1042 */
  callId?: number;
  /** Generic call events: whether the call is new. */
  created?: boolean;
  /** Whether the call was queued for processing. */
  queued?: boolean;
}
