import request from 'supertest';
import { addCall } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/app';
import { localDateOf, formatLocalDate } from '../../src/common/time-zone';
import { defaultSettings } from '../../src/settings/settings.defaults';
import { SettingsService } from '../../src/settings/settings.service';
import { SettingsVersion } from '../../src/settings/settings-version.entity';

describe('Settings API', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(() => t.close());

  const read = () => request(t.server).get('/api/settings').expect(200);
  const post = (body: unknown) => request(t.server).post('/api/settings').send(body as object);
  const history = (query: Record<string, number> = {}) => request(t.server).get('/api/settings/history').query(query).expect(200);

  it('starts from the defaults in code on a fresh database, with read-only status', async () => {
    const { body } = await read();
    const { sync, ...rest } = defaultSettings();
    expect(body).toMatchObject({ ...rest, version: 1, incomingWebhookUrl: null });
    expect(body.sync).toEqual({ ...sync, lastSyncAt: null, lastSyncStatus: null });
    expect(body.incomingWebhookHint).toMatch(/WEBHOOK_TOKEN/);
    expect(body.integrations.bitrix).toMatchObject({ configured: false, reachable: null, lastError: null });
    expect(body.integrations.openai.configured).toBe(false);
    expect(body.updatedAt).toEqual(expect.any(String));
  });

  it('merges a partial update into nested groups and keeps every other key', async () => {
    const before = (await read()).body;
    const res = await post({ analysis: { riskThresholds: { highBelowScore: 30 } }, dictionaries: { products: ['CRM Pro', 'Облако'] } }).expect(201);
    expect(res.body.analysis).toEqual({ ...before.analysis, riskThresholds: { ...before.analysis.riskThresholds, highBelowScore: 30 } });
    expect(res.body.dictionaries).toEqual({ ...before.dictionaries, products: ['CRM Pro', 'Облако'] });
    expect(res.body.reports).toEqual(before.reports);
    expect(res.body.version).toBe(before.version + 1);
    expect((await read()).body.analysis.riskThresholds.highBelowScore).toBe(30);
  });

  it('accepts PATCH the same way, and null for the optional budget', async () => {
    const res = await request(t.server).patch('/api/settings').send({ analysis: { monthlyBudgetUsd: 50 }, retention: { recordingsDays: 0 } }).expect(200);
    expect(res.body.analysis.monthlyBudgetUsd).toBe(50);
    await request(t.server).patch('/api/settings').send({ analysis: { monthlyBudgetUsd: null } }).expect(200);
    expect((await read()).body.analysis.monthlyBudgetUsd).toBeNull();
  });

  it('replaces the checklist as a whole', async () => {
    const checklist = [
      { id: 'greeting', title: 'Приветствие', description: 'Greets the client', weight: 1 },
      { id: 'next_step_2', title: 'Next step', description: '', weight: 0.5 },
    ];
    const res = await post({ analysis: { checklist } }).expect(201);
    expect(res.body.analysis.checklist).toEqual(checklist);
  });

  const tooManyCriteria = Array.from({ length: 31 }, (_, i) => ({ id: `criterion_${i}`, title: `C${i}`, description: '', weight: 1 }));
  const criterion = { id: 'greeting', title: 'Greeting', description: '', weight: 1 };

  it.each<[string, unknown, string]>([
    ['an unknown top-level key', { colour: 'red' }, 'colour'],
    ['an unknown nested key', { analysis: { temperature: 1 } }, 'analysis.temperature'],
    ['a time zone that is not IANA', { timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
    ['a time zone that is not a string', { timeZone: 3 }, 'timeZone'],
    ['a group that is not an object', { analysis: 'fast' }, 'analysis'],
    ['a group that is a list', { alerts: [] }, 'alerts'],
    ['a digest time past 23:59', { reports: { dailyDigestTime: '24:00' } }, 'reports.dailyDigestTime'],
    ['a digest time without two-digit hours', { reports: { weeklyDigestTime: '9:00' } }, 'reports.weeklyDigestTime'],
    ['weekday 0', { reports: { weeklyDigestDay: 0 } }, 'reports.weeklyDigestDay'],
    ['weekday 8', { reports: { weeklyDigestDay: 8 } }, 'reports.weeklyDigestDay'],
    ['a threshold above 100', { analysis: { riskThresholds: { highBelowScore: 101 } } }, 'analysis.riskThresholds.highBelowScore'],
    ['a threshold below 0', { analysis: { riskThresholds: { mediumBelowScore: -1 } } }, 'analysis.riskThresholds.mediumBelowScore'],
    ['a fractional threshold', { analysis: { riskThresholds: { mediumBelowScore: 50.5 } } }, 'analysis.riskThresholds.mediumBelowScore'],
    ['high above the stored medium threshold', { analysis: { riskThresholds: { highBelowScore: 70 } } }, 'analysis.riskThresholds.highBelowScore'],
    ['high above medium in one request', { analysis: { riskThresholds: { highBelowScore: 50, mediumBelowScore: 45 } } }, 'analysis.riskThresholds.highBelowScore'],
    ['zero failed criteria for medium risk', { analysis: { riskThresholds: { mediumFailedCriteria: 0 } } }, 'analysis.riskThresholds.mediumFailedCriteria'],
    ['duplicate criterion ids', { analysis: { checklist: [criterion, { ...criterion, title: 'Again' }] } }, 'analysis.checklist'],
    ['a criterion id with capitals', { analysis: { checklist: [{ ...criterion, id: 'Greeting' }] } }, 'analysis.checklist.0.id'],
    ['a one-letter criterion id', { analysis: { checklist: [{ ...criterion, id: 'g' }] } }, 'analysis.checklist.0.id'],
    ['a zero weight', { analysis: { checklist: [{ ...criterion, weight: 0 }] } }, 'analysis.checklist.0.weight'],
    ['a negative weight', { analysis: { checklist: [{ ...criterion, weight: -2 }] } }, 'analysis.checklist.0.weight'],
    ['a criterion without a title', { analysis: { checklist: [{ id: 'greeting', description: '', weight: 1 }] } }, 'analysis.checklist.0.title'],
    ['an unknown key in a criterion', { analysis: { checklist: [{ ...criterion, colour: 'red' }] } }, 'analysis.checklist.0.colour'],
    ['an empty checklist', { analysis: { checklist: [] } }, 'analysis.checklist'],
    ['more than 30 criteria', { analysis: { checklist: tooManyCriteria } }, 'analysis.checklist'],
    ['a dictionary that is not a list', { dictionaries: { products: 'CRM Pro' } }, 'dictionaries.products'],
    ['a dictionary entry that is not a string', { dictionaries: { competitors: [42] } }, 'dictionaries.competitors'],
    ['an empty dictionary entry', { dictionaries: { stopPhrases: [''] } }, 'dictionaries.stopPhrases'],
    ['a dictionary entry of 101 characters', { dictionaries: { products: ['x'.repeat(101)] } }, 'dictionaries.products'],
    ['a dictionary of 501 entries', { dictionaries: { products: Array.from({ length: 501 }, (_, i) => `p${i}`) } }, 'dictionaries.products'],
    ['too many vocabulary hints', { dictionaries: { vocabularyHints: Array.from({ length: 201 }, (_, i) => `h${i}`) } }, 'dictionaries.vocabularyHints'],
    ['an unknown risk level', { alerts: { minRiskLevel: 'critical' } }, 'alerts.minRiskLevel'],
    ['zero alerts per hour', { alerts: { maxPerHour: 0 } }, 'alerts.maxPerHour'],
    ['a negative budget', { analysis: { monthlyBudgetUsd: -1 } }, 'analysis.monthlyBudgetUsd'],
    ['a budget as text', { analysis: { monthlyBudgetUsd: '100' } }, 'analysis.monthlyBudgetUsd'],
    ['negative retention days', { retention: { recordingsDays: -1 } }, 'retention.recordingsDays'],
    ['fractional retention days', { retention: { transcriptsDays: 1.5 } }, 'retention.transcriptsDays'],
    ['a sync interval of 0', { sync: { intervalMinutes: 0 } }, 'sync.intervalMinutes'],
    ['a sync interval of null', { sync: { intervalMinutes: null } }, 'sync.intervalMinutes'],
    ['a boolean as text', { sync: { enabled: 'yes' } }, 'sync.enabled'],
    ['a boolean as a number', { crm: { writeBack: 1 } }, 'crm.writeBack'],
    ['a language name instead of a code', { analysis: { language: 'russian' } }, 'analysis.language'],
    ['an empty model name', { analysis: { model: '' } }, 'analysis.model'],
    ['a minimum duration above an hour', { analysis: { minCallDurationSec: 3601 } }, 'analysis.minCallDurationSec'],
    ['read-only integrations', { integrations: { bitrix: { configured: true } } }, 'integrations'],
    ['read-only incomingWebhookUrl', { incomingWebhookUrl: 'http://evil.example/x' }, 'incomingWebhookUrl'],
    ['read-only sync.lastSyncAt', { sync: { lastSyncAt: '2026-01-01T00:00:00Z' } }, 'sync.lastSyncAt'],
    ['read-only version', { version: 7 }, 'version'],
  ])('refuses %s with a 400 naming the field, and saves nothing', async (_name, body, field) => {
    const before = await read();
    const total = (await history()).body.total;
    const res = await post(body).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(res.body.message).toContain(`${field}:`);
    expect((await read()).body).toEqual(before.body);
    expect((await history()).body.total).toBe(total);
  });

  it('saves nothing of a request whose other fields are valid', async () => {
    const before = (await read()).body;
    const res = await post({ timeZone: 'Asia/Tokyo', dictionaries: { products: ['ok'] }, reports: { weeklyDigestDay: 9 } }).expect(400);
    expect(res.body.message).toContain('reports.weeklyDigestDay:');
    const after = (await read()).body;
    expect(after.timeZone).toBe(before.timeZone);
    expect(after.dictionaries).toEqual(before.dictionaries);
  });

  it('names every bad field of one request', async () => {
    const res = await post({ timeZone: 'Nowhere', reports: { dailyDigestTime: '7pm' } }).expect(400);
    expect(res.body.message).toContain('timeZone:');
    expect(res.body.message).toContain('reports.dailyDigestTime:');
  });

  it('refuses a body that is not an object', async () => {
    await post([{ timeZone: 'Asia/Tokyo' }]).expect(400);
    await request(t.server).post('/api/settings').set('Content-Type', 'application/json').send('{"timeZone":').expect(400);
  });

  it('keeps every version with when, who and which keys changed', async () => {
    await post({ alerts: { maxPerHour: 25 }, reports: { dailyDigestTime: '18:30' } }).expect(201);
    const { body } = await history({ pageSize: 100 });
    const [latest, previous] = body.items;
    expect(latest).toMatchObject({ actor: 'open-api', changedKeys: ['alerts.maxPerHour', 'reports.dailyDigestTime'] });
    expect(latest.values.alerts.maxPerHour).toBe(25);
    expect(previous.values.alerts.maxPerHour).toBe(10);
    expect(new Date(latest.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(body.items.at(-1)).toMatchObject({ version: 1, actor: 'environment', changedKeys: [] });
    expect(body.total).toBe(body.items.length);
    expect(body.items.map((item: { version: number }) => item.version)).toEqual([...body.items.map((item: { version: number }) => item.version)].sort((a, b) => b - a));
  });

  it('pages the history', async () => {
    const all = (await history({ pageSize: 100 })).body;
    const second = (await history({ page: 2, pageSize: 1 })).body;
    expect(second).toMatchObject({ page: 2, pageSize: 1, total: all.total });
    expect(second.items).toEqual([all.items[1]]);
    await request(t.server).get('/api/settings/history').query({ pageSize: 101 }).expect(400);
  });

  it('stores no version for an update that changes nothing', async () => {
    const { total } = (await history()).body;
    const current = (await read()).body;
    await post({ timeZone: current.timeZone, sync: { enabled: current.sync.enabled } }).expect(201);
    expect((await history()).body.total).toBe(total);
  });

  it('shows the end of the latest finished call sync, read-only', async () => {
    const insert = (kind: string, status: string, finishedAt: string | null) =>
      t.dataSource.query(`INSERT INTO sync_runs (kind, trigger, status, started_at, finished_at) VALUES ($1, 'cron', $2, now() - interval '1 day', $3)`, [kind, status, finishedAt]);
    await insert('calls', 'succeeded', '2026-03-01T10:00:00Z');
    await insert('calls', 'failed', '2026-03-02T10:00:00Z');
    await insert('calls', 'running', null);
    await insert('chats', 'succeeded', '2026-03-05T10:00:00Z');
    const { body } = await read();
    expect(body.sync).toMatchObject({ lastSyncAt: '2026-03-02T10:00:00.000Z', lastSyncStatus: 'failed' });
  });

  it('applies a new time zone to the calendar periods without a restart', async () => {
    const [here, there] = ['Pacific/Kiritimati', 'Pacific/Pago_Pago'];
    const now = Date.now();
    const today = (instant: number, zone: string) => formatLocalDate(localDateOf(new Date(instant), zone));
    const isToday = (instant: number, zone: string) => today(instant, zone) === today(now, zone);
    const minutesAgo = Array.from({ length: 26 * 6 }, (_, i) => (i + 1) * 10);
    const startedAt = minutesAgo.map((minutes) => now - minutes * 60_000).find((instant) => isToday(instant, here) !== isToday(instant, there))!;
    const [todayZone, otherZone] = isToday(startedAt, here) ? [here, there] : [there, here];
    const call = await addCall(t.dataSource, { startedAt: new Date(startedAt) });
    const todayIds = async () => (await request(t.server).get('/api/calls').query({ period: 'today' }).expect(200)).body.items.map((item: { id: number }) => item.id);

    await post({ timeZone: todayZone }).expect(201);
    expect(await todayIds()).toContain(call.id);
    await post({ timeZone: otherZone }).expect(201);
    expect(await todayIds()).not.toContain(call.id);
  });

  it('lets another instance see a change within the cache time', async () => {
    const other = await startTestApp({}, t.database);
    try {
      const otherSettings = other.app.get(SettingsService);
      const interval = (await otherSettings.get()).sync.intervalMinutes;
      await post({ sync: { intervalMinutes: interval + 5 } }).expect(201);
      const deadline = Date.now() + 2_500;
      while ((await otherSettings.get()).sync.intervalMinutes !== interval + 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect((await otherSettings.get()).sync.intervalMinutes).toBe(interval + 5);
    } finally {
      await other.close();
    }
  });

  it('reads the settings once for callers that find the cache stale together', async () => {
    const settings = new SettingsService(t.dataSource, t.config);
    const find = jest.spyOn(t.dataSource.getRepository(SettingsVersion), 'find');
    try {
      const together = await Promise.all(Array.from({ length: 10 }, () => settings.get()));
      expect(find).toHaveBeenCalledTimes(1);
      expect(new Set(together).size).toBe(1);
    } finally {
      find.mockRestore();
    }
  });

  it('never caches a read that an update overtook', async () => {
    const interval = (await new SettingsService(t.dataSource, t.config).get()).sync.intervalMinutes;
    const versions = t.dataSource.getRepository(SettingsVersion);
    const original = versions.find.bind(versions);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The read fetches the old version but finishes only after the update has been stored.
    const find = jest.spyOn(versions, 'find').mockImplementationOnce(async (options) => {
      const rows = await original(options);
      await held;
      return rows;
    });
    try {
      const settings = new SettingsService(t.dataSource, t.config);
      const before = settings.current();
      await settings.update({ sync: { intervalMinutes: interval + 1 } }, 'test');
      release();
      expect((await before).settings.sync.intervalMinutes).toBe(interval);
      expect((await settings.get()).sync.intervalMinutes).toBe(interval + 1);
    } finally {
      find.mockRestore();
    }
  });
});
