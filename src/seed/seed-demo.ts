import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { prepareDatabase } from '../bootstrap';
import { computeChatMetrics } from '../chats/chat-metrics';
import { loadAppConfig } from '../config/app-config';
import { dataSourceOptions } from '../database/data-source';
import { computeConversationMetrics } from '../integrations/analysis/conversation-metrics';
import { defaultSettings } from '../settings/settings.defaults';
import type { Settings } from '../settings/settings.types';
import { DemoRecording, synthesiseConversation, VoiceOptions } from './demo-audio';
import {
  DEMO_DEPARTMENTS, DEMO_EMPLOYEES, DemoConversation, demoConversation, demoFill, pick, pickScript, pickWeighted, sequence, SUPPORT_DEPARTMENT,
  timedSegments, withTimes,
} from './demo-data';
import { DEMO_CHAT_SCRIPTS } from './demo-scripts';

const DEMO_PREFIX = 'demo-';
const RECORDINGS_DIR = join('recordings', 'demo');
const CALLS = 260;
const CHATS = 36;
const DAYS = 90;
/** Analysed calls that get a recording to play, and calls with a recording still to process. */
const PLAYABLE = 4;
const TO_PROCESS = 2;

export interface DemoSeedOptions {
  /** The demo's "today": calls fall in the 90 days before it. */
  now?: Date;
  /** With DATA_DIR, a few calls get short generated recordings under `recordings/demo`; without it, none. */
  dataDir?: string;
  voice?: VoiceOptions;
}

export interface DemoSeedResult {
  calls: number;
  chats: number;
  recordings: number;
  voice: DemoRecording['voice'] | null;
}

type Query = (sql: string, params?: unknown[]) => Promise<{ id: number }[]>;
type Employee = { id: number; name: string; skill: number; support: boolean };

interface PlannedCall {
  index: number;
  employee: number;
  startedAt: Date;
  state: 'analysed' | 'missed' | 'error' | 'awaiting' | 'to-process';
  conversation?: DemoConversation;
  recording?: { path: string; recording: DemoRecording };
}

/**
 * `npm run seed:demo`: fills the database with clearly labelled demo data (names end in "(демо)",
 * calls carry the `demo` tag and an external id `demo-N`) so the frontend and Swagger can be explored
 * before Bitrix24 is connected. Run again, it replaces its own rows and touches nothing else.
 */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadAppConfig(process.env);
  const database = await prepareDatabase(config);
  const dataSource = await new DataSource(dataSourceOptions(database.url, 2)).initialize();
  try {
    const result = await seedDemo(dataSource, { dataDir: config.dataDir });
    const voice = result.voice ? `, ${result.recordings} with recordings (${result.voice})` : '';
    console.log(`Demo data: ${DEMO_DEPARTMENTS.length} departments, ${DEMO_EMPLOYEES.length} employees, ${result.calls} calls${voice}, ${result.chats} chats`);
  } finally {
    await dataSource.destroy();
    await database.stop();
  }
}

export async function seedDemo(dataSource: DataSource, options: DemoSeedOptions = {}): Promise<DemoSeedResult> {
  const settings = await currentSettings(dataSource);
  const random = sequence(42);
  const calls = planCalls(settings, options.now ?? new Date(), random);
  if (options.dataDir) await recordSome(calls, options.dataDir, options.voice ?? {});
  await dataSource.transaction(async (manager) => {
    const query: Query = manager.query.bind(manager);
    await removeDemo(query);
    const employees = await insertEmployees(query, await insertDepartments(query));
    for (const call of calls) await insertCall(query, call, employees[call.employee]);
    await insertChats(query, employees, settings, options.now ?? new Date(), random);
  });
  const recorded = calls.filter((call) => call.recording);
  return { calls: calls.length, chats: CHATS, recordings: recorded.length, voice: recorded[0]?.recording?.recording.voice ?? null };
}

/** The checklist and thresholds in force, so every configured criterion gets its verdicts. */
async function currentSettings(dataSource: DataSource): Promise<Settings> {
  const [row] = (await dataSource.query('SELECT "values" FROM settings_versions ORDER BY id DESC LIMIT 1')) as { values: Settings }[];
  return row?.values ?? defaultSettings();
}

function planCalls(settings: Settings, now: Date, random: () => number): PlannedCall[] {
  const { checklist, riskThresholds } = settings.analysis;
  return Array.from({ length: CALLS }, (_, index) => {
    const employee = Math.floor(random() * DEMO_EMPLOYEES.length);
    const [name, department, , skill] = DEMO_EMPLOYEES[employee];
    const startedAt = workingHour(now, random);
    const roll = random();
    const state: PlannedCall['state'] = roll < 0.07 ? 'missed' : roll < 0.09 ? 'error' : roll < 0.12 ? 'awaiting' : 'analysed';
    const script = pickScript(department === SUPPORT_DEPARTMENT, random);
    const conversation = demoConversation(script, demoFill(name, random), skill, checklist, riskThresholds, random);
    return { index, employee, startedAt, state, conversation: state === 'analysed' ? conversation : undefined };
  });
}

/** A weekday in the last 90 days, between 9:00 and 19:00 Moscow time. */
function workingHour(now: Date, random: () => number): Date {
  const day = new Date(now.getTime() - (1 + Math.floor(random() * DAYS)) * 86_400_000);
  if (day.getUTCDay() === 0 || day.getUTCDay() === 6) day.setUTCDate(day.getUTCDate() - 2);
  day.setUTCHours(6 + Math.floor(random() * 10), Math.floor(random() * 60), Math.floor(random() * 60), 0);
  return day;
}

/**
 * The most recent analysed calls of different kinds get a recording to play; a few more keep theirs but lose
 * their transcript and analysis, so processing them shows the pipeline at work.
 */
async function recordSome(calls: PlannedCall[], dataDir: string, voice: VoiceOptions): Promise<void> {
  await rm(join(dataDir, RECORDINGS_DIR), { recursive: true, force: true });
  await mkdir(join(dataDir, RECORDINGS_DIR), { recursive: true });
  const recent = calls.filter((call) => call.conversation).sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
  const chosen: PlannedCall[] = [];
  for (const call of recent) {
    if (chosen.length === PLAYABLE + TO_PROCESS) break;
    if (!chosen.some((other) => other.conversation!.script.id === call.conversation!.script.id)) chosen.push(call);
  }
  for (const [position, call] of chosen.entries()) {
    const recording = await synthesiseConversation(call.conversation!.lines, voice);
    const path = join(RECORDINGS_DIR, `${DEMO_PREFIX}${call.index + 1}.${recording.extension}`);
    await writeFile(join(dataDir, path), recording.bytes);
    call.recording = { path, recording };
    if (position >= PLAYABLE) call.state = 'to-process';
  }
}

async function removeDemo(query: Query): Promise<void> {
  await query(`DELETE FROM calls WHERE external_id LIKE '${DEMO_PREFIX}%'`);
  await query(`DELETE FROM chats WHERE manager_name LIKE '%(демо)' OR employee_id IN (SELECT id FROM employees WHERE name LIKE '%(демо)')`);
  await query(`DELETE FROM employees WHERE name LIKE '%(демо)'`);
  await query(`DELETE FROM departments WHERE name LIKE '%(демо)'`);
}

async function insertDepartments(query: Query): Promise<number[]> {
  const ids: number[] = [];
  for (const name of DEMO_DEPARTMENTS) ids.push((await query('INSERT INTO departments (name) VALUES ($1) RETURNING id', [name]))[0].id);
  return ids;
}

async function insertEmployees(query: Query, departmentIds: number[]): Promise<Employee[]> {
  const employees: Employee[] = [];
  for (const [name, department, position, skill] of DEMO_EMPLOYEES) {
    const [row] = await query('INSERT INTO employees (name, position, department_ids) VALUES ($1, $2, $3) RETURNING id', [name, position, [departmentIds[department]]]);
    employees.push({ id: row.id, name, skill, support: department === SUPPORT_DEPARTMENT });
  }
  return employees;
}

async function insertCall(query: Query, call: PlannedCall, employee: Employee): Promise<void> {
  const conversation = call.conversation;
  const recording = call.recording?.recording;
  const segments = conversation && timedSegments(conversation.lines, recording?.durations);
  const durationSec = call.state === 'missed' ? 0 : Math.round(recording?.durationSec ?? segments?.at(-1)?.end ?? 60 + call.index % 200);
  const status = { analysed: ['analyzed', null], missed: ['skipped', 'missed'], error: ['error', null], awaiting: ['new', 'awaiting_recording'], 'to-process': ['new', null] }[call.state];
  const [row] = await query(
    `INSERT INTO calls (source, external_id, direction, started_at, duration_sec, employee_id, manager_name, client_phone, status, status_reason, missed, tags,
                        error, error_stage, awaiting_recording_since, recording_path, recording_bytes, recording_mime, audio_duration_sec, audio_channels)
     VALUES ('webhook', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, ARRAY['demo'], $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
    [`${DEMO_PREFIX}${call.index + 1}`, conversation?.script.direction ?? 'incoming', call.startedAt, durationSec, employee.id, employee.name,
      `+7916${String(1_000_000 + ((call.index * 7_919) % 9_000_000)).padStart(7, '0')}`, status[0], status[1], call.state === 'missed',
      call.state === 'error' ? 'Распознавание речи: сервер не ответил за 10 минут (демо)' : null, call.state === 'error' ? 'transcription' : null,
      call.state === 'awaiting' ? call.startedAt : null, call.recording?.path ?? null, recording?.bytes.length ?? null, recording?.mime ?? null,
      recording?.durationSec ?? null, recording ? 2 : null],
  );
  if (conversation && segments && call.state === 'analysed') await insertAnalysis(query, row.id, conversation, segments);
}

async function insertAnalysis(query: Query, callId: number, conversation: DemoConversation, segments: ReturnType<typeof timedSegments>): Promise<void> {
  const durationSec = segments[segments.length - 1].end;
  const metrics = computeConversationMetrics(segments, durationSec);
  const analysis = withTimes(conversation, segments);
  const text = segments.map((segment) => segment.text).join(' ');
  await query(`INSERT INTO transcripts (call_id, text, segments, language, engine, model, duration_sec) VALUES ($1, $2, $3, 'ru', 'demo', 'demo', $4)`, [callId, text, JSON.stringify(segments), durationSec]);
  const [row] = await query(
    `INSERT INTO analyses (call_id, version, result, metrics, score_overall, risk_level, model, prompt_version, criteria_version, input_hash, published_at)
     VALUES ($1, 1, $2, $3, $4, $5, 'demo', 'demo', 'demo', $6, now()) RETURNING id`,
    [callId, JSON.stringify(analysis), JSON.stringify(metrics), conversation.score, conversation.risk, `demo-${callId}`],
  );
  await query(
    `UPDATE calls SET latest_analysis_id = $2, score_overall = $3, risk_level = $4, summary = $5, client_sentiment = $6, products = $7,
            refusal_reasons = $8, tags = tags || $9::text[], metrics = $10, analyzed_at = started_at + interval '5 minutes' WHERE id = $1`,
    [callId, row.id, conversation.score, conversation.risk, analysis.summary, analysis.sentiment.client, analysis.products, analysis.refusalReasons, analysis.tags, JSON.stringify(metrics)],
  );
}

/** Open Lines chats with their messages, analysed like calls. */
async function insertChats(query: Query, employees: Employee[], settings: Settings, now: Date, random: () => number): Promise<void> {
  const { checklist, riskThresholds } = settings.analysis;
  for (let index = 0; index < CHATS; index++) {
    const employee = pick(employees.filter((candidate) => !candidate.support), random);
    const script = pickWeighted(DEMO_CHAT_SCRIPTS, random);
    const conversation = demoConversation(script, demoFill(employee.name, random), employee.skill, checklist, riskThresholds, random);
    const startedAt = workingHour(now, random);
    const sentAt = messageTimes(startedAt, conversation.lines.length, random);
    const metrics = computeChatMetrics(conversation.lines.map((line, position) => ({ role: line.speaker, sentAt: sentAt[position] })));
    const [chat] = await query(
      `INSERT INTO chats (channel, employee_id, manager_name, client_name, started_at, closed_at, closed, message_count, status, score_overall, risk_level, summary, tags, metrics, analyzed_at)
       VALUES ($1, $2, $3, $4, $5, $6, true, $7, 'analyzed', $8, $9, $10, $11, $12, $6) RETURNING id`,
      [script.channel, employee.id, employee.name, `${conversation.fill.client} («${conversation.fill.company}»)`, startedAt, sentAt.at(-1), conversation.lines.length,
        conversation.score, conversation.risk, conversation.analysis.summary, ['demo', ...conversation.analysis.tags], JSON.stringify(metrics)],
    );
    for (const [position, line] of conversation.lines.entries()) {
      await query(
        `INSERT INTO chat_messages (chat_id, bitrix_message_id, author_role, author_name, text, sent_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [chat.id, position + 1, line.speaker, line.speaker === 'manager' ? employee.name : conversation.fill.client, line.text, sentAt[position]],
      );
    }
    const [analysis] = await query(
      `INSERT INTO analyses (chat_id, version, result, metrics, score_overall, risk_level, model, prompt_version, criteria_version, input_hash, published_at)
       VALUES ($1, 1, $2, $3, $4, $5, 'demo', 'demo', 'demo', $6, now()) RETURNING id`,
      [chat.id, JSON.stringify(conversation.analysis), JSON.stringify(metrics), conversation.score, conversation.risk, `demo-chat-${chat.id}`],
    );
    await query('UPDATE chats SET latest_analysis_id = $2 WHERE id = $1', [chat.id, analysis.id]);
  }
}

function messageTimes(start: Date, count: number, random: () => number): Date[] {
  let time = start.getTime();
  return Array.from({ length: count }, () => new Date((time += (20 + random() * 280) * 1000)));
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
