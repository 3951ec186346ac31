import { request } from 'undici';
import { BitrixClient } from '../../src/integrations/bitrix/bitrix.client';
import { addOpenLinesSession, FakeBitrix24, sampleAudio, seedPortal, startFakeBitrix24 } from '../fakes/bitrix24';

describe('Typed Bitrix24 methods', () => {
  let fake: FakeBitrix24;
  let client: BitrixClient;

  beforeEach(async () => {
    fake = await startFakeBitrix24();
    seedPortal(fake, { calls: 60, users: 130, departments: 4 });
    client = new BitrixClient({ webhookUrl: fake.webhookUrl, retryBaseMs: 5 });
  });
  afterEach(async () => {
    await client.close();
    await fake.close();
  });

  it('fetches all users, inactive ones too, in two requests', async () => {
    const users = await client.users();
    expect(users.map((u) => u.ID)).toEqual(fake.state.users.map((u) => u.ID));
    expect(users.some((u) => u.ACTIVE === false)).toBe(true);
    expect(client.requestsUsed).toBe(2);
  });

  it('fetches departments', async () => {
    const departments = await client.departments();
    expect(departments.map((d) => d.NAME)).toEqual(fake.state.departments.map((d) => d.NAME));
  });

  it('finds one statistics row by CALL_ID, or null', async () => {
    const row = fake.state.statistics[42];
    expect(await client.statisticByCallId(String(row.CALL_ID))).toEqual(row);
    expect(await client.statisticByCallId('externalCall.missing.1')).toBeNull();
  });

  it('hands the DOWNLOAD_URL of a RECORD_FILE_ID to the caller\'s downloader, with the headers the portal wants', async () => {
    const row = fake.state.statistics.find((r) => r.RECORD_FILE_ID !== null)!;
    const file = await client.downloadFile(Number(row.RECORD_FILE_ID), async (link) => {
      const response = await request(link.url, { headers: link.headers });
      return { link, contentType: response.headers['content-type'], bytes: Buffer.from(await response.body.arrayBuffer()) };
    });
    expect(file.bytes).toEqual(sampleAudio());
    expect(file.contentType).toBe('audio/wav');
    expect(file.link).toMatchObject({ portalHost: new URL(fake.url).host, headers: { referer: `${fake.url}/`, accept: '*/*' } });
    expect(client.requestsUsed).toBe(2);
  });

  it('lists Open Lines sessions after a cursor and reads their histories in one batch', async () => {
    for (let i = 1; i <= 3; i++) {
      addOpenLinesSession(fake.state, { activityId: 100 + i, sessionId: 300 + i, chatId: 1700 + i, operatorId: i, start: new Date('2024-02-01T09:00:00Z'), messages: [{ fromClient: true, text: `Вопрос ${i}` }] });
    }
    fake.state.activities.push({ ID: '150', PROVIDER_ID: 'VOXIMPLANT_CALL', TYPE_ID: '2' });
    const sessions = [];
    for await (const page of client.openLinesSessionsAfter(101)) sessions.push(...page.rows);
    expect(sessions.map((s) => s.ASSOCIATED_ENTITY_ID)).toEqual(['302', '303']);
    expect(sessions[0]).not.toHaveProperty('COMMUNICATIONS');
    const histories = await client.sessionHistories([302, 303, 999]);
    expect(histories.get(302)).toMatchObject({ sessionId: 302 });
    expect(histories.get(999)).toMatchObject({ failure: 'not_found' });
  });

  it('adds a timeline comment with lower-case fields and returns its ID', async () => {
    const id = await client.addTimelineComment({ entityType: 'contact', entityId: 275, comment: 'Звонок: оценка 82/100' });
    expect(fake.state.timelineComments).toEqual([{ id, fields: { ENTITY_ID: 275, ENTITY_TYPE: 'contact', COMMENT: 'Звонок: оценка 82/100' } }]);
  });
});
