import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ScoredPageQueryDto, toList } from '../../common/dto/period-query.dto';
import { RowIdFilter } from '../../common/row-id';

export const CHAT_SORTS = ['startedAt', '-startedAt', 'scoreOverall', '-scoreOverall', 'messageCount', '-messageCount', 'id', '-id'] as const;
export type ChatSort = (typeof CHAT_SORTS)[number];
const RISK_LEVELS = ['low', 'medium', 'high'] as const;
const toLowerCaseList = (params: { value: unknown }) => toList(params).map((item) => item.toLowerCase());

export class ListChatsQuery extends ScoredPageQueryDto {
  /** One channel or several, comma-separated: whatsapp, instagram, telegram, vk, livechat… */
  @IsOptional() @Transform(toLowerCaseList) @Matches(/^[a-z0-9_]{1,32}$/, { each: true, message: 'channel must be channel names like telegram,whatsapp' })
  channel?: string[];

  @RowIdFilter()
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
