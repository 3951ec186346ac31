import { CrmWriteBack } from '../../src/crm/crm-write-back.service';
import { formatCrmComment, timelineEntityType } from '../../src/crm/crm-comment';
import { AnalysisEvents } from '../../src/pipeline/analysis-events';
import { defaultSettings } from '../../src/settings/settings.defaults';
import { SettingsService } from '../../src/settings/settings.service';
import { FakeBitrix24, RestError, startFakeBitrix24 } from '../fakes/bitrix24';
import { startTestApp, TestApp } from '../support/app';
import { addAnalysis, addCall } from '../support/fixtures';
import { eventually } from '../webhooks/webhook-support';

const RESULT = {
  summary: 'Клиент сравнивал цены [b]конкурентов[/b], менеджер не предложил встречу.',
  recommendations: ['Назначить следующий шаг с датой', 'Выяснить бюджет', 'Рассказать о гарантии', 'Четвёртая рекомендация'],
};

describe('CRM write-back', () => {
  let bitrix: FakeBitrix24;
  let t: TestApp;
  let events: AnalysisEvents;

  const notifications = (): Promise<Record<string, any>[]> => t.dataSource.query(`SELECT * FROM notifications WHERE channel = 'crm' ORDER BY id`);
  const settled = () => eventually(async () => {
    const rows = await notifications();
    return rows.every((row) => row.status !== 'pending') && rows;
  });

  async function analysedCall(version = 1, crm: { crmEntityType: string | null; crmEntityId: number | null } = { crmEntityType: 'CONTACT', crmEntityId: 275 }) {
    const call = await addCall(t.dataSource, { ...crm, clientPhone: '+79161234567' });
    const analysis = await addAnalysis(t.dataSource, call, RESULT, version);
    await t.dataSource.query(`UPDATE analyses SET score_overall = 42, risk_level = 'medium' WHERE id = $1`, [analysis.id]);
    return { call, analysis, event: { kind: 'call' as const, subjectId: call.id, analysisId: analysis.id, version } };
  }

  beforeAll(async () => {
    bitrix = await startFakeBitrix24({ rateLimit: false });
    t = await startTestApp({ BITRIX_WEBHOOK_URL: bitrix.webhookUrl, FRONTEND_URL: 'https://crm.example' });
    events = t.app.get(AnalysisEvents);
  });

  afterAll(async () => {
    await t.close();
    await bitrix.close();
  });

  beforeEach(async () => {
    bitrix.state.timelineComments.length = 0;
    await t.dataSource.query(`DELETE FROM notifications WHERE channel = 'crm'`);
    await t.app.get(SettingsService).update({ crm: { writeBack: true } }, 'test');
  });

  it('is off by default: an analysis writes nothing to the CRM', async () => {
    expect(defaultSettings().crm.writeBack).toBe(false);
    await t.app.get(SettingsService).update({ crm: { writeBack: false } }, 'test');
    const { event } = await analysedCall();

    await events.publish(event);

    expect(await notifications()).toHaveLength(0);
    expect(bitrix.state.timelineComments).toHaveLength(0);
  });

  it('adds one timeline comment per analysis version, even when the event is published again', async () => {
    const { call, analysis, event } = await analysedCall();

    await events.publish(event);
    await events.publish(event);
    await settled();
    await events.publish(event);

    expect(bitrix.state.timelineComments).toHaveLength(1);
    const { fields } = bitrix.state.timelineComments[0];
    expect(fields).toMatchObject({ ENTITY_ID: 275, ENTITY_TYPE: 'contact' });
    const text = String(fields.COMMENT);
    expect(text).toContain(`Call #${call.id}: AI analysis`);
    expect(text).toContain('Score: 42/100 · Risk: medium');
    expect(text).toContain('Summary: Клиент сравнивал цены (b)конкурентов(/b)');
    expect(text).toContain('1. Назначить следующий шаг с датой\n2. Выяснить бюджет\n3. Рассказать о гарантии');
    expect(text).not.toContain('Четвёртая');
    expect(text).toContain(`Open: https://crm.example/calls/${call.id}`);
    const [row] = await notifications();
    expect(row).toMatchObject({ kind: 'crm-comment', dedupe_key: `crm-comment:${analysis.id}`, status: 'sent', attempts: 1 });
    expect(row.payload.commentId).toBe(bitrix.state.timelineComments[0].id);

    const second = await addAnalysis(t.dataSource, call, RESULT, 2);
    await events.publish({ ...event, analysisId: second.id, version: 2 });
    await settled();
    expect(bitrix.state.timelineComments).toHaveLength(2);
  });

  it('writes chats to their CRM entity with a link to the chat', async () => {
    const [chat] = await t.dataSource.query(
      `INSERT INTO chats (channel, started_at, closed, crm_entity_type, crm_entity_id) VALUES ('whatsapp', now(), true, 'DEAL', 31) RETURNING id`,
    );
    const [analysis] = await t.dataSource.query(
      `INSERT INTO analyses (chat_id, version, result, score_overall, risk_level, model, prompt_version, criteria_version, input_hash)
       VALUES ($1, 1, $2, 81, 'low', 'gpt-4o', 'p', 'c', 'h') RETURNING id`,
      [chat.id, RESULT],
    );

    await events.publish({ kind: 'chat', subjectId: chat.id, analysisId: analysis.id, version: 1 });
    await settled();

    expect(bitrix.state.timelineComments).toHaveLength(1);
    expect(bitrix.state.timelineComments[0].fields).toMatchObject({ ENTITY_ID: 31, ENTITY_TYPE: 'deal' });
    expect(String(bitrix.state.timelineComments[0].fields.COMMENT)).toContain(`Open: https://crm.example/chats/${chat.id}`);
  });

  it('skips calls without a CRM binding', async () => {
    const { event } = await analysedCall(1, { crmEntityType: null, crmEntityId: null });
    await events.publish(event);
    expect(await notifications()).toHaveLength(0);
  });

  it('records a refused comment and sends it on a later retry, never blocking the event', async () => {
    bitrix.failMethod('crm.timeline.comment.add', new RestError(401, 'insufficient_scope', 'The request requires higher privileges'));
    const { event } = await analysedCall();

    const failed = await events.publish(event);
    expect(failed).toEqual([]);
    const [row] = await settled();
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.last_error).toContain('higher privileges');

    expect(await t.app.get(CrmWriteBack).retryDue()).toBe(0);
    await t.dataSource.query(`UPDATE notifications SET created_at = now() - interval '10 minutes' WHERE channel = 'crm'`);
    expect(await t.app.get(CrmWriteBack).retryDue()).toBe(1);

    expect(bitrix.state.timelineComments).toHaveLength(1);
    expect((await notifications())[0]).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
  });

  it('after an answer lost in a 5xx, finds the comment on the timeline instead of adding it twice', async () => {
    const { event } = await analysedCall();
    bitrix.injectFault({ kind: 'status', status: 502 });

    await events.publish(event);
    const [row] = await settled();
    expect(row.status).toBe('failed');
    expect(row.last_error).toContain('may have added it');
    expect(bitrix.state.timelineComments).toHaveLength(0);
    // The portal did run the request: the comment is there though its answer never came.
    bitrix.state.timelineComments.push({ id: 4242, fields: { ENTITY_ID: 275, ENTITY_TYPE: 'contact', COMMENT: row.payload.comment } });

    await t.dataSource.query(`UPDATE notifications SET created_at = now() - interval '10 minutes' WHERE channel = 'crm'`);
    await t.app.get(CrmWriteBack).retryDue();

    expect(bitrix.state.timelineComments).toHaveLength(1);
    expect((await notifications())[0]).toMatchObject({ status: 'sent', payload: expect.objectContaining({ commentId: 4242 }) });
  });

  it('gives up on an entity the portal no longer has', async () => {
    bitrix.failMethod('crm.timeline.comment.add', new RestError(400, 'NOT_FOUND', 'Not found.'));
    const { event } = await analysedCall();

    await events.publish(event);
    await settled();
    await t.dataSource.query(`UPDATE notifications SET created_at = now() - interval '1 day' WHERE channel = 'crm'`);

    expect(await t.app.get(CrmWriteBack).retryDue()).toBe(0);
    expect((await notifications())[0]).toMatchObject({ status: 'failed', attempts: 5 });
    expect(bitrix.state.timelineComments).toHaveLength(0);
  });
});

describe('CRM comment text', () => {
  it('names entity types as crm.timeline.comment.add wants them', () => {
    expect(['LEAD', 'DEAL', 'CONTACT', 'COMPANY', 'TYPE_130', 'TYPE_7', null].map(timelineEntityType))
      .toEqual(['lead', 'deal', 'contact', 'company', 'dynamic_130', null, null]);
  });

  it('shows dashes for a missing score and risk', () => {
    const text = formatCrmComment({ kind: 'chat', subjectId: 5, analysisId: 9, version: 1, score: null, riskLevel: null, summary: null, recommendations: [], channel: 'telegram' }, 'https://x');
    expect(text).toBe('[b]Chat #5 (telegram): AI analysis[/b]\nScore: —/100 · Risk: —\nOpen: https://x/chats/5\nAI CRM Analytics · analysis #9 (version 1)');
  });
});
