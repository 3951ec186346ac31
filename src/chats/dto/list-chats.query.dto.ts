import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min, MinLength } from 'class-validator';
import { ScoredPageQueryDto, toList } from '../../common/dto/period-query.dto';

export const CHAT_SORTS = ['startedAt', '-startedAt', 'scoreOverall', '-scoreOverall', 'messageCount', '-messageCount', 'id', '-id'] as const;
export type ChatSort = (typeof CHAT_SORTS)[number];
const RISK_LEVELS = ['low', 'medium', 'high'] as const;
const toLowerCaseList = (params: { value: unknown }) => toList(params).map((item) => item.toLowerCase());

export class ListChatsQuery extends ScoredPageQueryDto {
  /** One channel or several, comma-separated: whatsapp, instagram, telegram, vk, livechat… */
  @IsOptional() @Transform(toLowerCaseList) @Matches(/^[a-z0-9_]{1,32}$/, { each: true, message: 'channel must be channel names like telegram,whatsapp' })
  channel?: string[];

  @IsOptional() @Type(() => Number) @IsInt() @Min(1)
  employeeId?: number;

  /** One risk level or several, comma-separated. */
  @IsOptional() @Transform(toLowerCaseList) @IsIn(RISK_LEVELS, { each: true })
  riskLevel?: Array<(typeof RISK_LEVELS)[number]>;

  /** Full-text search in messages, Russian and English word forms. @example "доставка" */
  @IsOptional() @IsString() @MinLength(2) @MaxLength(200)
  q?: string;

  /** Sort key; a leading `-` sorts descending. */
  @IsOptional() @IsIn(CHAT_SORTS)
  sort: ChatSort = '-startedAt';
}
