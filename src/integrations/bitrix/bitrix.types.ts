/** Wire shapes of the Bitrix24 REST answers we read. Values are strings unless the API sends otherwise. */

export interface BitrixTime {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating_reset_at?: number;
  operating?: number;
}

export interface BitrixResponse<T> {
  result: T;
  next?: number;
  total?: number;
  time?: BitrixTime;
}

export interface BitrixSubError {
  error: string;
  error_description: string;
}

export interface BatchOutcome {
  /** Results of the sub-calls that succeeded, by command key. */
  result: Record<string, unknown>;
  /** Errors of the sub-calls that failed, by command key. */
  errors: Record<string, BitrixSubError>;
  total: Record<string, number>;
  next: Record<string, number>;
}

export interface StatisticsRow {
  ID: string;
  PORTAL_USER_ID: string | null;
  PORTAL_NUMBER: string | null;
  PHONE_NUMBER: string | null;
  CALL_ID: string;
  EXTERNAL_CALL_ID?: string | null;
  CALL_CATEGORY?: string | null;
  CALL_LOG?: string | null;
  CALL_DURATION: string | null;
  CALL_START_DATE: string;
  CALL_RECORD_URL: string | null;
  CALL_VOTE?: string | null;
  COST: string | null;
  COST_CURRENCY: string | null;
  CALL_FAILED_CODE: string | null;
  CALL_FAILED_REASON: string | null;
  CRM_ENTITY_TYPE: string | null;
  CRM_ENTITY_ID: string | null;
  CRM_ACTIVITY_ID: string | null;
  REST_APP_ID?: string | null;
  REST_APP_NAME?: string | null;
  TRANSCRIPT_ID?: string | null;
  TRANSCRIPT_PENDING?: string;
  SESSION_ID?: string | null;
  REDIAL_ATTEMPT?: string | null;
  COMMENT?: string | null;
  RECORD_DURATION?: string | null;
  RECORD_FILE_ID: number | string | null;
  CALL_TYPE: string;
}

export interface BitrixUser {
  ID: string;
  ACTIVE?: boolean | string;
  NAME?: string | null;
  LAST_NAME?: string | null;
  SECOND_NAME?: string | null;
  EMAIL?: string | null;
  WORK_POSITION?: string | null;
  UF_DEPARTMENT?: Array<number | string> | number | string | null;
  UF_PHONE_INNER?: string | null;
  USER_TYPE?: string;
}

export interface BitrixDepartment {
  ID: string;
  NAME: string;
  SORT?: number | string;
  PARENT?: string | null;
  UF_HEAD?: string | null;
}

export interface DiskFile {
  ID: string | number;
  NAME: string;
  SIZE: string | number;
  DOWNLOAD_URL: string;
  CREATE_TIME?: string;
}

export interface CrmActivity {
  ID: string;
  OWNER_ID?: string | null;
  OWNER_TYPE_ID?: string | null;
  TYPE_ID?: string;
  PROVIDER_ID?: string;
  PROVIDER_TYPE_ID?: string | null;
  PROVIDER_PARAMS?: { USER_CODE?: string } | unknown[] | null;
  ASSOCIATED_ENTITY_ID?: string | null;
  ORIGIN_ID?: string | null;
  SUBJECT?: string | null;
  START_TIME?: string | null;
  END_TIME?: string | null;
  COMPLETED?: string;
  DIRECTION?: string;
  RESPONSIBLE_ID?: string | null;
  RESULT_SOURCE_ID?: string | null;
  RESULT_STATUS?: string | null;
}

export interface SessionHistoryMessage {
  id: string | number;
  chatid?: string | number;
  senderid: string | number;
  date: string;
  text: string;
  params?: unknown;
}

export interface SessionHistoryUser {
  id?: string | number;
  name?: string;
  firstName?: string;
  lastName?: string;
  connector?: boolean;
  bot?: boolean;
}

export interface SessionHistory {
  chatId: string | number;
  sessionId: string | number;
  message: Record<string, SessionHistoryMessage> | SessionHistoryMessage[];
  usersMessage?: Record<string, Array<string | number>> | unknown[];
  users?: Record<string, SessionHistoryUser> | unknown[];
}
