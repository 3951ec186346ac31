import { parseBitrixEventBody, readCallEndEvent } from '../../src/integrations/bitrix/bitrix-event';
import {
  mapDepartment, mapOpenLinesActivity, mapSessionMessages, mapStatisticsRow, mapUser, parseBitrixDate,
} from '../../src/integrations/bitrix/bitrix.mapping';
import type { StatisticsRow } from '../../src/integrations/bitrix/bitrix.types';
import { addOpenLinesSession, FakeBitrix24State, generateCallRows } from '../fakes/bitrix24';

const answered: StatisticsRow = {
  ID: '1041', PORTAL_USER_ID: '15', PORTAL_NUMBER: 'reg133788', PHONE_NUMBER: '+79161234567',
  CALL_ID: '11018129443EB80D.1705303800.11438214', CALL_DURATION: '184', CALL_START_DATE: '2024-01-15T10:30:00+03:00',
  CALL_RECORD_URL: 'https://storage-gw-ru-02.voximplant.com/voximplant-records/2024/01/15/abc.mp3?record_id=123',
  COST: '1.2000', COST_CURRENCY: 'RUR', CALL_FAILED_CODE: '200', CALL_FAILED_REASON: 'Success call',
  CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: '275', CRM_ACTIVITY_ID: '5121', RECORD_FILE_ID: 9079, CALL_TYPE: '2',
};

describe('Mapping a statistics row to call fields', () => {
  it('maps every field, with the start normalised from +03:00 to UTC', () => {
    expect(mapStatisticsRow(answered)).toEqual({
      bitrixCallId: '11018129443EB80D.1705303800.11438214', statisticsId: 1041, callType: 2, direction: 'incoming',
      startedAt: new Date('2024-01-15T07:30:00.000Z'), durationSec: 184, bitrixUserId: 15, portalNumber: 'reg133788',
      clientPhone: '+79161234567', crmEntityType: 'CONTACT', crmEntityId: 275, bitrixActivityId: 5121, recordFileId: 9079,
      recordUrl: answered.CALL_RECORD_URL, failedCode: '200', failedReason: 'Success call', missed: false, cost: 1.2, costCurrency: 'RUR',
    });
  });

  it.each([['1', 'outgoing'], ['2', 'incoming'], ['3', 'incoming'], ['4', 'callback'], ['5', 'outgoing'], ['9', null], ['', null]])(
    'maps CALL_TYPE %s to %s', (callType, direction) => {
      expect(mapStatisticsRow({ ...answered, CALL_TYPE: callType }).direction).toBe(direction);
    });

  it.each([
    ['a failed code other than 200', { CALL_FAILED_CODE: '304' }, true],
    ['a cancelled call (603-S kept as text)', { CALL_FAILED_CODE: '603-S' }, true],
    ['a zero duration', { CALL_DURATION: '0' }, true],
    ['an empty duration', { CALL_DURATION: '' }, true],
    ['an answered call with talk time', {}, false],
  ])('treats %s as missed=%s', (_name, change, missed) => {
    expect(mapStatisticsRow({ ...answered, ...change }).missed).toBe(missed);
  });

  it('turns empty strings and nulls into nulls', () => {
    const call = mapStatisticsRow({
      ...answered, PORTAL_USER_ID: null, CALL_RECORD_URL: '', RECORD_FILE_ID: null, CRM_ENTITY_TYPE: null, CRM_ENTITY_ID: null,
      CRM_ACTIVITY_ID: '', COST: '', COST_CURRENCY: '', PHONE_NUMBER: 'hidden',
    });
    expect(call).toMatchObject({
      bitrixUserId: null, recordUrl: null, recordFileId: null, crmEntityType: null, crmEntityId: null,
      bitrixActivityId: null, cost: null, costCurrency: null, clientPhone: 'hidden',
    });
  });

  it.each([
    ['2024-01-15T10:30:00+03:00', '2024-01-15T07:30:00.000Z'],
    ['2024-01-15T00:30:00+03:00', '2024-01-14T21:30:00.000Z'],
    ['2024-07-25T13:13:55+00:00', '2024-07-25T13:13:55.000Z'],
    ['2024-03-01T01:00:00-05:00', '2024-03-01T06:00:00.000Z'],
  ])('reads %s as %s', (wire, utc) => {
    expect(parseBitrixDate(wire).toISOString()).toBe(utc);
  });

  it('refuses a date without an offset rather than guessing the zone', () => {
    expect(() => parseBitrixDate('24.08.2023 13:19:39')).toThrow(RangeError);
  });

  it('maps every generated row of the fake', () => {
    const rows = generateCallRows({ count: 300, userIds: [1, 2, 3] }) as unknown as StatisticsRow[];
    const calls = rows.map(mapStatisticsRow);
    expect(calls.some((call) => call.missed)).toBe(true);
    expect(calls.some((call) => call.recordFileId === null && !call.missed)).toBe(true);
    expect(calls.every((call) => call.startedAt.toISOString().endsWith('Z') && call.direction !== null)).toBe(true);
  });
});

describe('Mapping users, departments and Open Lines', () => {
  it('maps a user with a Russian name, active flag and departments', () => {
    expect(mapUser({ ID: '15', ACTIVE: true, NAME: 'Мария', LAST_NAME: 'Фёдорова', WORK_POSITION: 'Старший менеджер', UF_DEPARTMENT: [3, 7] }))
      .toMatchObject({ bitrixUserId: 15, name: 'Мария Фёдорова', active: true, position: 'Старший менеджер', departmentIds: [3, 7], email: null });
  });

  it('falls back to the e-mail for a user without a name and reads a deactivated flag', () => {
    expect(mapUser({ ID: '16', ACTIVE: false, NAME: '', EMAIL: 'a@example.ru' })).toMatchObject({ name: 'a@example.ru', active: false, departmentIds: [] });
  });

  it('maps a department with its parent and head', () => {
    expect(mapDepartment({ ID: '3', NAME: 'Отдел продаж', SORT: 500, PARENT: '1', UF_HEAD: '15' }))
      .toEqual({ bitrixDepartmentId: 3, name: 'Отдел продаж', parentId: 1, headUserId: 15, sort: 500 });
    expect(mapDepartment({ ID: '1', NAME: 'Компания' }).parentId).toBeNull();
  });

  it('maps an Open Lines activity to a chat and its history to ordered messages', () => {
    const state = { activities: [], sessionHistories: new Map() } as unknown as FakeBitrix24State;
    addOpenLinesSession(state, {
      activityId: 700, sessionId: 321, chatId: 1763, operatorId: 15, start: new Date('2024-01-15T07:00:00Z'),
      messages: [{ fromClient: true, text: 'Здравствуйте, сколько стоит доставка?' }, { fromClient: false, text: 'Добрый день! 500 ₽.' }],
    });
    const chat = mapOpenLinesActivity(state.activities[0] as never);
    expect(chat).toMatchObject({ bitrixActivityId: 700, sessionId: 321, connector: 'telegrambot', bitrixUserId: 15, crmEntityType: 'CONTACT', completed: true });
    expect(chat.startedAt?.toISOString()).toBe('2024-01-15T07:00:00.000Z');
    const messages = mapSessionMessages(state.sessionHistories.get(321) as never);
    expect(messages.map((m) => [m.senderRole, m.text])).toEqual([['client', 'Здравствуйте, сколько стоит доставка?'], ['operator', 'Добрый день! 500 ₽.']]);
  });
});

describe('Parsing Bitrix24 outbound event bodies', () => {
  const raw = 'event=ONVOXIMPLANTCALLEND&event_handler_id=17&data%5BCALL_ID%5D=11018129443EB80D.1705303800.11438214&data%5BCALL_TYPE%5D=2'
    + '&data%5BPHONE_NUMBER%5D=%2B79161234567&data%5BCALL_START_DATE%5D=2024-01-15T10%3A30%3A00%2B03%3A00&data%5BCALL_FAILED_REASON%5D=Success+call'
    + '&ts=1705303999&auth%5Bdomain%5D=example.bitrix24.ru&auth%5Bapplication_token%5D=jvh9y1ulvt2m6k5or90v9mg8nn32ozas';

  it('nests PHP bracket keys of the raw body, decoding + and %2B', () => {
    const parsed = parseBitrixEventBody(raw);
    expect(parsed).toMatchObject({
      event: 'ONVOXIMPLANTCALLEND', event_handler_id: '17', ts: '1705303999',
      data: { CALL_ID: '11018129443EB80D.1705303800.11438214', PHONE_NUMBER: '+79161234567', CALL_START_DATE: '2024-01-15T10:30:00+03:00', CALL_FAILED_REASON: 'Success call' },
      auth: { domain: 'example.bitrix24.ru', application_token: 'jvh9y1ulvt2m6k5or90v9mg8nn32ozas' },
    });
  });

  it('accepts an already parsed flat object and deeper keys and lists', () => {
    const parsed = parseBitrixEventBody({ event: 'ONCRMACTIVITYADD', 'data[FIELDS][ID]': '5121', 'data[DATA][0][session][id]': '9', 'x[]': ['a', 'b'] });
    expect(parsed).toEqual({ event: 'ONCRMACTIVITYADD', data: { FIELDS: { ID: '5121' }, DATA: { 0: { session: { id: '9' } } } }, x: ['a', 'b'] });
  });

  it('ignores keys that would pollute prototypes', () => {
    const parsed = parseBitrixEventBody('__proto__%5Bpolluted%5D=1&data%5Bconstructor%5D%5Bx%5D=1&event=X');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(parsed).toEqual({ event: 'X' });
  });

  it('reads the call-end event case-insensitively and ignores others', () => {
    expect(readCallEndEvent(parseBitrixEventBody(raw.replace('ONVOXIMPLANTCALLEND', 'onVoximplantCallEnd'))))
      .toMatchObject({ callId: '11018129443EB80D.1705303800.11438214', applicationToken: 'jvh9y1ulvt2m6k5or90v9mg8nn32ozas' });
    expect(readCallEndEvent(parseBitrixEventBody('event=ONCRMACTIVITYADD&data%5BFIELDS%5D%5BID%5D=1'))).toBeNull();
  });
});
