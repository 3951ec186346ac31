import { INestApplication } from '@nestjs/common';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/bootstrap';
import { AppConfig, loadAppConfig } from '../../src/config/app-config';
import { createTestDatabase, TestDatabase } from './database';

export interface TestApp {
  app: INestApplication;
  server: ReturnType<INestApplication['getHttpServer']>;
  config: AppConfig;
  dataSource: DataSource;
  database: TestDatabase;
  close(): Promise<void>;
}

/** The real application on its own migrated database; `env` adds or overrides variables. */
export async function startTestApp(env: Record<string, string> = {}, database?: TestDatabase): Promise<TestApp> {
  const db = database ?? (await createTestDatabase());
  const config = loadAppConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'crm-test-data-')),
    LOG_LEVEL: 'silent',
    PUBLIC_BASE_URL: 'http://localhost:8080',
    ...env,
    DATABASE_URL: db.url,
    DB_MIGRATE_ON_START: 'false',
  });
  const app = await createApp(config);
  await app.init();
  return {
    app,
    server: app.getHttpServer(),
    config,
    dataSource: app.get(DataSource),
    database: db,
    close: async () => {
      await app.close();
      if (!database) await db.drop();
    },
  };
}
