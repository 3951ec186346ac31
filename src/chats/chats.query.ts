import { resolveDateRange } from '../common/periods';
import type { ListChatsQuery } from './dto/list-chats.query.dto';

const LIST_COLUMNS = [
  'id', 'bitrix_session_id', 'bitrix_activity_id', 'channel', 'employee_id', 'bitrix_user_id', 'manager_name', 'client_name',
  'crm_entity_type', 'crm_entity_id', 'started_at', 'closed_at', 'closed', 'message_count', 'status', 'status_reason', 'error',
  'score_overall', 'risk_level', 'summary', 'tags', 'metrics', 'analyzed_at',
].map((column) => `c.${column} AS "${column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase())}"`).join(', ');

const SORT_SQL: Record<ListChatsQuery['sort'], string> = {
  startedAt: 'c.started_at ASC, c.id ASC',
  '-startedAt': 'c.started_at DESC, c.id DESC',
  scoreOverall: 'c.score_overall ASC NULLS LAST, c.id ASC',
  '-scoreOverall': 'c.score_overall DESC NULLS LAST, c.id DESC',
  messageCount: 'c.message_count ASC, c.id ASC',
  '-messageCount': 'c.message_count DESC, c.id DESC',
  id: 'c.id ASC',
  '-id': 'c.id DESC',
};

export interface ChatListSql {
  listSql: string;
  countSql: string;
  params: unknown[];
  /** The count statement uses the first `countParams` bind parameters. */
  countParams: number;
}

/** The SQL behind `GET /chats`: one statement for the page, one for the total; every value is a bind parameter. */
export function buildChatListSql(query: ListChatsQuery, timeZone: string, now = new Date()): ChatListSql {
  const params: unknown[] = [];
  const bind = (value: unknown) => `$${params.push(value)}`;
  const where: string[] = [];
  const range = resolveDateRange(query, timeZone, now);
  if (range) where.push(`c.started_at >= ${bind(range.from)} AND c.started_at < ${bind(range.to)}`);
  if (query.channel?.length) where.push(`c.channel = ANY(${bind(query.channel)})`);
  if (query.employeeId) where.push(`c.employee_id = ${bind(query.employeeId)}`);
  if (query.riskLevel?.length) where.push(`c.risk_level = ANY(${bind(query.riskLevel)})`);
  if (query.minScore !== undefined) where.push(`c.score_overall >= ${bind(query.minScore)}`);
  if (query.maxScore !== undefined) where.push(`c.score_overall <= ${bind(query.maxScore)}`);
  if (query.q) {
    where.push(`EXISTS (SELECT 1 FROM chat_messages m WHERE m.chat_id = c.id AND m.tsv @@ search_query(${bind(query.q)}))`);
  }
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const countParams = params.length;
  const page = `LIMIT ${bind(query.pageSize)} OFFSET ${bind((query.page - 1) * query.pageSize)}`;
  return {
    listSql: `SELECT ${LIST_COLUMNS} FROM chats c ${whereSql} ORDER BY ${SORT_SQL[query.sort]} ${page}`,
    countSql: `SELECT count(*)::int AS total FROM chats c ${whereSql}`,
    params,
    countParams,
  };
}
