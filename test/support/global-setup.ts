import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { runMigrations } from '../../src/database/data-source';
import { startEmbeddedDatabase } from '../../src/database/embedded-database';

export const TEMPLATE_DATABASE = 'crm_test_template';

/**
 * One PostgreSQL for the run: the server in TEST_DATABASE_URL when given (e.g. the system one),
 * otherwise an embedded server in a temporary directory. A migrated template database makes
 * each test file's own database a cheap copy.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const database = await startEmbeddedDatabase(mkdtempSync(join(tmpdir(), 'crm-test-db-')));
    (globalThis as { __testDatabase?: unknown }).__testDatabase = database;
    adminUrl = database.url.replace(/\/crm$/, '/postgres');
  }
  process.env.TEST_ADMIN_DATABASE_URL = adminUrl;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE} ENCODING 'UTF8' TEMPLATE template0`);
  await admin.end();
  await runMigrations(withDatabase(adminUrl, TEMPLATE_DATABASE));
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
