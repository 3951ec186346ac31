import type {
  BitrixDepartment, BitrixUser, CrmActivity, SessionHistory, SessionHistoryMessage, StatisticsRow,
} from './bitrix.types';

export type CallDirection = 'incoming' | 'outgoing' | 'callback';

/** Our call fields from one `voximplant.statistic.get` row. */
export interface BitrixCallFields {
  bitrixCallId: string;
  /** The statistics row ID: the sync cursor. */
  statisticsId: number;
  callType: number | null;
  direction: CallDirection | null;
  startedAt: Date;
  durationSec: number;
  bitrixUserId: number | null;
  portalNumber: string | null;
  clientPhone: string | null;
  crmEntityType: string | null;
  crmEntityId: number | null;
  bitrixActivityId: number | null;
  recordFileId: number | null;
  recordUrl: string | null;
  failedCode: string | null;
  failedReason: string | null;
  missed: boolean;
  cost: number | null;
  costCurrency: string | null;
}

const DIRECTIONS: Record<number, CallDirection> = { 1: 'outgoing', 2: 'incoming', 3: 'incoming', 4: 'callback', 5: 'outgoing' };

export function mapStatisticsRow(row: StatisticsRow): BitrixCallFields {
  const callType = toInt(row.CALL_TYPE);
  const durationSec = toInt(row.CALL_DURATION) ?? 0;
  const failedCode = text(row.CALL_FAILED_CODE);
  return {
    bitrixCallId: row.CALL_ID,
    statisticsId: Number(row.ID),
    callType,
    direction: callType === null ? null : (DIRECTIONS[callType] ?? null),
    startedAt: parseBitrixDate(row.CALL_START_DATE),
    durationSec,
    bitrixUserId: toInt(row.PORTAL_USER_ID),
    portalNumber: text(row.PORTAL_NUMBER),
    clientPhone: text(row.PHONE_NUMBER),
    crmEntityType: text(row.CRM_ENTITY_TYPE),
    crmEntityId: toInt(row.CRM_ENTITY_ID),
    bitrixActivityId: toInt(row.CRM_ACTIVITY_ID),
    recordFileId: toInt(row.RECORD_FILE_ID),
    recordUrl: text(row.CALL_RECORD_URL),
    failedCode,
    failedReason: text(row.CALL_FAILED_REASON),
    missed: failedCode !== '200' || durationSec === 0,
    cost: toNumber(row.COST),
    costCurrency: text(row.COST_CURRENCY),
  };
}

export interface BitrixEmployeeFields {
  bitrixUserId: number;
  name: string;
  firstName: string | null;
  lastName: string | null;
  secondName: string | null;
  email: string | null;
  position: string | null;
  active: boolean;
  departmentIds: number[];
  phoneInner: string | null;
}

export function mapUser(user: BitrixUser): BitrixEmployeeFields {
  const firstName = text(user.NAME);
  const lastName = text(user.LAST_NAME);
  return {
    bitrixUserId: Number(user.ID),
    name: [firstName, lastName].filter(Boolean).join(' ') || text(user.EMAIL) || `#${user.ID}`,
    firstName,
    lastName,
    secondName: text(user.SECOND_NAME),
    email: text(user.EMAIL),
    position: text(user.WORK_POSITION),
    active: user.ACTIVE === true || user.ACTIVE === 'Y' || user.ACTIVE === 'true' || user.ACTIVE === '1',
    departmentIds: toIntList(user.UF_DEPARTMENT),
    phoneInner: text(user.UF_PHONE_INNER),
  };
}

export interface BitrixDepartmentFields {
  bitrixDepartmentId: number;
  name: string;
  parentId: number | null;
  headUserId: number | null;
  sort: number | null;
}

export function mapDepartment(department: BitrixDepartment): BitrixDepartmentFields {
  return {
    bitrixDepartmentId: Number(department.ID),
    name: department.NAME,
    parentId: toInt(department.PARENT),
    headUserId: toInt(department.UF_HEAD),
    sort: toInt(department.SORT),
  };
}

const OWNER_TYPES: Record<number, string> = { 1: 'LEAD', 2: 'DEAL', 3: 'CONTACT', 4: 'COMPANY' };

export interface BitrixChatFields {
  bitrixActivityId: number;
  sessionId: number | null;
  lineId: string | null;
  /** `livechat`, `telegrambot`, `whatsappbyedna`, … */
  connector: string | null;
  userCode: string | null;
  bitrixUserId: number | null;
  direction: 'incoming' | 'outgoing';
  startedAt: Date | null;
  endedAt: Date | null;
  completed: boolean;
  crmEntityType: string | null;
  crmEntityId: number | null;
}

export function mapOpenLinesActivity(activity: CrmActivity): BitrixChatFields {
  const userCode = providerUserCode(activity.PROVIDER_PARAMS);
  const ownerType = toInt(activity.OWNER_TYPE_ID);
  return {
    bitrixActivityId: Number(activity.ID),
    sessionId: toInt(activity.ASSOCIATED_ENTITY_ID) ?? toInt(activity.ORIGIN_ID?.replace(/^IMOL_/, '')),
    lineId: text(activity.PROVIDER_TYPE_ID),
    connector: text(activity.RESULT_SOURCE_ID) ?? userCode?.split('|')[0] ?? null,
    userCode,
    bitrixUserId: toInt(activity.RESPONSIBLE_ID),
    direction: activity.DIRECTION === '2' ? 'outgoing' : 'incoming',
    startedAt: optionalDate(activity.START_TIME),
    endedAt: optionalDate(activity.END_TIME),
    completed: activity.COMPLETED === 'Y',
    crmEntityType: ownerType === null ? null : (OWNER_TYPES[ownerType] ?? `TYPE_${ownerType}`),
    crmEntityId: toInt(activity.OWNER_ID),
  };
}

export interface ChatMessageFields {
  bitrixMessageId: number;
  senderId: number;
  senderRole: 'client' | 'operator' | 'system';
  senderName: string | null;
  sentAt: Date | null;
  text: string;
}

/** Messages of a session in the portal's order; `senderid` 0 is the system, a connector user the client. */
export function mapSessionMessages(history: SessionHistory): ChatMessageFields[] {
  const messages = Object.values(history.message ?? {}) as SessionHistoryMessage[];
  const users = (Array.isArray(history.users) ? {} : history.users ?? {}) as Record<string, { name?: string; connector?: boolean }>;
  return messages
    .map((message) => {
      const senderId = Number(message.senderid);
      const user = users[String(senderId)];
      return {
        bitrixMessageId: Number(message.id),
        senderId,
        senderRole: senderId === 0 ? 'system' : user?.connector ? 'client' : 'operator',
        senderName: text(user?.name),
        sentAt: optionalDate(message.date),
        text: String(message.text ?? ''),
      } satisfies ChatMessageFields;
    })
    .sort((a, b) => a.bitrixMessageId - b.bitrixMessageId);
}

/** Bitrix24 datetimes carry the portal's offset (`+03:00`); we keep UTC instants. */
export function parseBitrixDate(value: string): Date {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.test(value ?? '');
  const date = new Date(value);
  if (!iso || Number.isNaN(date.getTime())) throw new RangeError(`Bitrix24 date without an offset or unreadable: ${String(value)}`);
  return date;
}

function optionalDate(value: string | null | undefined): Date | null {
  return value ? parseBitrixDate(value) : null;
}

function providerUserCode(params: CrmActivity['PROVIDER_PARAMS']): string | null {
  if (!params || Array.isArray(params)) return null;
  return text(params.USER_CODE);
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const trimmed = String(value).trim();
  return trimmed === '' ? null : trimmed;
}

function toInt(value: unknown): number | null {
  const raw = text(value);
  if (raw === null || !/^-?\d+$/.test(raw)) return null;
  return Number(raw);
}

function toNumber(value: unknown): number | null {
  const raw = text(value);
  const number = raw === null ? NaN : Number(raw);
  return Number.isFinite(number) ? number : null;
}

function toIntList(value: unknown): number[] {
  const items = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
  return items.map(toInt).filter((id): id is number => id !== null);
}
