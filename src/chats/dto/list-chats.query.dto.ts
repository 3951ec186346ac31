import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PERIODS, type PeriodName } from '../../common/periods';

export const CHAT_SORTS = ['startedAt', '-startedAt', 'scoreOverall', '-scoreOverall', 'messageCount', '-messageCount', 'id', '-id'] as const;
export type ChatSort = (typeof CHAT_SORTS)[number];
const RISK_LEVELS = ['low', 'medium', 'high'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const toList = ({ value }: { value: unknown }) =>
  (Array.isArray(value) ? value : String(value).split(',')).map((item) => String(item).trim().toLowerCase()).filter(Boolean);

export class ListChatsQuery {
  /** Page number, from 1. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1)
  page: number = 1;

  /** Items per page, 1–200. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200)
  pageSize: number = 20;

  /** A calendar period in the settings time zone. */
  @IsOptional() @IsIn(PERIODS)
  period?: PeriodName;

  /** First day, inclusive, YYYY-MM-DD in the settings time zone. */
  @IsOptional() @Matches(DATE, { message: 'from must be a date as YYYY-MM-DD' })
  from?: string;

  /** Last day, inclusive, YYYY-MM-DD in the settings time zone. */
  @IsOptional() @Matches(DATE, { message: 'to must be a date as YYYY-MM-DD' })
  to?: string;

  /** One channel or several, comma-separated: whatsapp, instagram, telegram, vk, livechat… @example "telegram,whatsapp" */
  @IsOptional() @Transform(toList) @Matches(/^[a-z0-9_]{1,32}$/, { each: true, message: 'channel must be channel names like telegram,whatsapp' })
  channel?: string[];

  @IsOptional() @Type(() => Number) @IsInt() @Min(1)
  employeeId?: number;

  /** One risk level or several, comma-separated. */
  @IsOptional() @Transform(toList) @IsIn(RISK_LEVELS, { each: true })
  riskLevel?: Array<(typeof RISK_LEVELS)[number]>;

  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(100)
  minScore?: number;

  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(100)
  maxScore?: number;

  /** Full-text search in messages, Russian and English word forms. @example "доставка" */
  @IsOptional() @IsString() @MinLength(2) @MaxLength(200)
  q?: string;

  /** Sort key; a leading `-` sorts descending. */
  @IsOptional() @IsIn(CHAT_SORTS)
  sort: ChatSort = '-startedAt';
}
