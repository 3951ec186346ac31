import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { computeConversationMetrics } from '../integrations/analysis/conversation-metrics';
import { loadAppConfig } from '../config/app-config';
import { prepareDatabase } from '../bootstrap';
import { dataSourceOptions } from '../database/data-source';
import { demoAnalysis, demoTranscript, DEMO_DEPARTMENTS, DEMO_EMPLOYEES, pick, PRODUCTS, sequence } from './demo-data';

const DEMO_PREFIX = 'demo-';
const CALLS = 150;

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
    await seedDemo(dataSource);
    console.log(`Demo data: ${DEMO_DEPARTMENTS.length} departments, ${DEMO_EMPLOYEES.length} employees, ${CALLS} calls`);
  } finally {
    await dataSource.destroy();
    await database.stop();
  }
}

export async function seedDemo(dataSource: DataSource): Promise<void> {
  await dataSource.transaction(async (manager) => {
    const query: Query = manager.query.bind(manager);
    await removeDemo(query);
    const departmentIds = await insertDepartments(query);
    const employees = await insertEmployees(query, departmentIds);
    await insertCalls(query, employees);
  });
}

type Query = (sql: string, params?: unknown[]) => Promise<{ id: number }[]>;

async function removeDemo(query: Query): Promise<void> {
  await query(`DELETE FROM calls WHERE external_id LIKE '${DEMO_PREFIX}%'`);
  await query(`DELETE FROM employees WHERE name LIKE '%(демо)'`);
  await query(`DELETE FROM departments WHERE name LIKE '%(демо)'`);
}

async function insertDepartments(query: Query): Promise<number[]> {
  const ids: number[] = [];
  for (const name of DEMO_DEPARTMENTS) ids.push((await query('INSERT INTO departments (name) VALUES ($1) RETURNING id', [name]))[0].id);
  return ids;
}

async function insertEmployees(query: Query, departmentIds: number[]): Promise<{ id: number; name: string }[]> {
  const employees: { id: number; name: string }[] = [];
  for (const [name, department, position] of DEMO_EMPLOYEES) {
    const [row] = await query('INSERT INTO employees (name, position, department_ids) VALUES ($1, $2, $3) RETURNING id', [name, position, [departmentIds[department]]]);
    employees.push({ id: row.id, name });
  }
  return employees;
}

async function insertCalls(query: Query, employees: { id: number; name: string }[]): Promise<void> {
  const random = sequence(42);
  for (let index = 0; index < CALLS; index++) {
    const employee = pick(employees, random);
    const startedAt = new Date(Date.now() - random() * 30 * 86_400_000);
    const missed = random() < 0.08;
    const analysed = !missed && random() < 0.85;
    const good = random() < 0.75;
    const product = pick(PRODUCTS, random);
    const segments = demoTranscript(good, employee.name, product);
    const durationSec = missed ? 0 : Math.round(segments[segments.length - 1].end);
    const [call] = await query(
      `INSERT INTO calls (source, external_id, direction, started_at, duration_sec, employee_id, manager_name, client_phone, status, status_reason, missed, tags)
       VALUES ('webhook', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, ARRAY['demo']) RETURNING id`,
      [`${DEMO_PREFIX}${index + 1}`, pick(['incoming', 'outgoing', 'callback'], random), startedAt, durationSec, employee.id, employee.name,
        `+7916${String(Math.floor(random() * 1e7)).padStart(7, '0')}`, missed ? 'skipped' : analysed ? 'analyzed' : 'new', missed ? 'missed' : null, missed],
    );
    if (analysed) await insertAnalysedParts(query, call.id, good, segments, product, random);
  }
}

async function insertAnalysedParts(query: Query, callId: number, good: boolean, segments: ReturnType<typeof demoTranscript>, product: string, random: () => number): Promise<void> {
  const text = segments.map((segment) => segment.text).join(' ');
  const durationSec = segments[segments.length - 1].end;
  const metrics = computeConversationMetrics(segments, durationSec);
  const analysis = demoAnalysis(good, segments, product, random);
  const risk = analysis.conflict.level;
  await query(`INSERT INTO transcripts (call_id, text, segments, language, engine, model, duration_sec) VALUES ($1, $2, $3, 'ru', 'demo', 'demo', $4)`, [callId, text, JSON.stringify(segments), durationSec]);
  const [row] = await query(
    `INSERT INTO analyses (call_id, version, result, metrics, score_overall, risk_level, model, prompt_version, criteria_version, input_hash, published_at)
     VALUES ($1, 1, $2, $3, $4, $5, 'demo', 'demo', 'demo', $6, now()) RETURNING id`,
    [callId, JSON.stringify(analysis), JSON.stringify(metrics), analysis.scores.overall, risk, `demo-${callId}`],
  );
  await query(
    `UPDATE calls SET latest_analysis_id = $2, score_overall = $3, risk_level = $4, summary = $5, client_sentiment = $6, products = $7,
            refusal_reasons = $8, tags = tags || $9::text[], metrics = $10, analyzed_at = started_at + interval '5 minutes' WHERE id = $1`,
    [callId, row.id, analysis.scores.overall, risk, analysis.summary, analysis.sentiment.client, analysis.products, analysis.refusalReasons, analysis.tags, JSON.stringify(metrics)],
  );
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
