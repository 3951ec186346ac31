import { resolveDateRange } from '../common/periods';
import { departmentMembersSql } from '../employees/department-members';
import type { ListCallsQuery } from './dto/list-calls.query';

const TIMESTAMPS = new Set(['started_at', 'analyzed_at', 'created_at', 'updated_at']);
const ARRAYS = new Set(['tags', 'products', 'refusal_reasons']);

/** ISO 8601 UTC text, as `Date.toJSON` writes it. */
const isoText = (column: string) => `to_char(c.${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A recording to play: stored, or still to fetch from Bitrix24 or its source, and not removed by retention. */
const HAS_RECORDING =
  "coalesce(c.recording_deleted_at IS NULL AND (c.recording_path <> '' OR c.record_file_id <> 0 OR c.record_source_url <> ''), false)";

/** The fields of a list item (`CallDto` but the recording's), by column. */
const ITEM_FIELDS = [
  'id', 'source', 'bitrix_call_id', 'bitrix_activity_id', 'external_id', 'direction', 'started_at', 'duration_sec',
  'employee_id', 'bitrix_user_id', 'manager_name', 'client_phone', 'crm_entity_type', 'crm_entity_id', 'status',
  'status_reason', 'error', 'error_stage', 'missed', 'score_overall', 'risk_level', 'summary', 'tags', 'products',
  'refusal_reasons', 'analyzed_at', 'created_at', 'updated_at',
];

const itemField = (column: string) => {
  const name = column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
  const value = TIMESTAMPS.has(column) ? isoText(column) : ARRAYS.has(column) ? `coalesce(to_json(c.${column}), '[]')` : `c.${column}`;
  return `${value} AS "${name}"`;
};

/**
 * A list row: the item as JSON text built by PostgreSQL, so a page of calls is passed on without being decoded
 * into objects and serialised again; the id and whether the call has a recording, to add its signed link.
 * `row_to_json` costs PostgreSQL about a quarter less per page than `json_build_object` with its 56 arguments, and
 * writes no spaces between keys and values, a tenth of a page's bytes.
 */
const LIST_COLUMNS = `c.id AS "id", ${HAS_RECORDING} AS "hasRecording", (SELECT row_to_json(item) FROM (SELECT ${ITEM_FIELDS.map(itemField).join(', ')}) item)::text AS "json"`;

const SORT_SQL: Record<ListCallsQuery['sort'], string> = {
  startedAt: 'c.started_at ASC, c.id ASC',
  '-startedAt': 'c.started_at DESC, c.id DESC',
  scoreOverall: 'c.score_overall ASC NULLS LAST, c.id ASC',
  '-scoreOverall': 'c.score_overall DESC NULLS LAST, c.id DESC',
  durationSec: 'c.duration_sec ASC, c.id ASC',
  '-durationSec': 'c.duration_sec DESC, c.id DESC',
  id: 'c.id ASC',
  '-id': 'c.id DESC',
};

/**
 * The page, each row carrying the total of matching calls (an uncorrelated subquery, which PostgreSQL runs once), so a
 * page costs one round trip; and the count alone, for a page past the end, which has no row to carry it.
 */
export interface CallListSql {
  listSql: string;
  listParams: unknown[];
  countSql: string;
  countParams: unknown[];
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

/**
 * The SQL behind `GET /calls`: the page with its total, and the total alone. Every value is a bind parameter.
 */
export function buildCallListSql(query: ListCallsQuery, timeZone: string, now = new Date()): CallListSql {
  const params: unknown[] = [];
  const bind = (value: unknown) => `$${params.push(value)}`;
  const where = filterConditions(query, timeZone, now, bind);
  const byStartTime = query.sort === 'startedAt' || query.sort === '-startedAt';
  if (query.q && where.length === 0 && byStartTime) return searchOnlySql(query, params, bind);
  if (query.q) where.push(`c.id IN (SELECT t.call_id FROM transcripts t WHERE ${textMatch(query.q, bind)})`);
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const countSql = `SELECT count(*)::int AS total FROM calls c ${whereSql}`;
  const countParams = [...params];
  const page = pageSql(query, bind);
  const listSql = `SELECT ${LIST_COLUMNS}, (${countSql}) AS "total" FROM calls c ${whereSql} ORDER BY ${SORT_SQL[query.sort]} ${page}`;
  return { listSql, listParams: params, countSql, countParams };
}

function filterConditions(query: ListCallsQuery, timeZone: string, now: Date, bind: (value: unknown) => string): string[] {
  const where: string[] = [];
  const range = resolveDateRange(query, timeZone, now);
  if (range) where.push(`c.started_at >= ${bind(range.from)} AND c.started_at < ${bind(range.to)}`);
  if (query.managerName) where.push(`c.manager_name ILIKE ${bind(`%${escapeLike(query.managerName)}%`)}`);
  if (query.employeeId) where.push(`c.employee_id = ${bind(query.employeeId)}`);
  if (query.department) where.push(`c.employee_id IN (${departmentMembersSql(query.department, bind)})`);
  if (query.status?.length) where.push(`c.status = ANY(${bind(query.status)})`);
  if (query.riskLevel?.length) where.push(`c.risk_level = ANY(${bind(query.riskLevel)})`);
  if (query.direction?.length) where.push(`c.direction = ANY(${bind(query.direction)})`);
  if (query.source?.length) where.push(`c.source = ANY(${bind(query.source)})`);
  if (query.clientPhone) where.push(`c.client_phone LIKE ${bind(`%${query.clientPhone.replace(/\D/g, '').slice(-10)}`)}`);
  if (query.crmEntityId) where.push(`c.crm_entity_id = ${bind(query.crmEntityId)}`);
  if (query.tag) where.push(`c.tags @> ARRAY[${bind(query.tag)}]::text[]`);
  if (query.product) where.push(`c.products @> ARRAY[${bind(query.product)}]::text[]`);
  if (query.minScore !== undefined) where.push(`c.score_overall >= ${bind(query.minScore)}`);
  if (query.maxScore !== undefined) where.push(`c.score_overall <= ${bind(query.maxScore)}`);
  return where;
}

/** Word forms, folded punctuation and name prefixes: see the `search_query` migration. */
const textMatch = (q: string, bind: (value: unknown) => string) => `t.tsv @@ search_query(${bind(q)})`;

const pageSql = (query: ListCallsQuery, bind: (value: unknown) => string) =>
  `LIMIT ${bind(query.pageSize)} OFFSET ${bind((query.page - 1) * query.pageSize)}`;

/**
 * A plain search, the most common one: matches are counted and ordered on the transcripts alone
 * (which carry their call's start time), and only the page's calls are read.
 */
function searchOnlySql(query: ListCallsQuery, params: unknown[], bind: (value: unknown) => string): CallListSql {
  const match = textMatch(query.q!, bind);
  const countSql = `SELECT count(*)::int AS total FROM transcripts t WHERE ${match}`;
  const countParams = [...params];
  const order = query.sort === 'startedAt' ? 'ASC' : 'DESC';
  const matches = `SELECT t.call_id FROM transcripts t WHERE ${match} ORDER BY t.call_started_at ${order}, t.call_id ${order} ${pageSql(query, bind)}`;
  const listSql = `SELECT ${LIST_COLUMNS}, (${countSql}) AS "total" FROM (${matches}) page JOIN calls c ON c.id = page.call_id ORDER BY c.started_at ${order}, c.id ${order}`;
  return { listSql, listParams: params, countSql, countParams };
}
