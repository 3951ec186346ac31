import { INestApplication, Type } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/bootstrap';
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

/** A provider replaced for a test, e.g. a fake class behind one of our ports. */
export interface ProviderOverride {
  provide: Type<unknown> | symbol | string | (abstract new (...args: never[]) => unknown);
  useValue: unknown;
}

/** The real application on its own migrated database; `env` adds or overrides variables. */
export async function startTestApp(env: Record<string, string> = {}, database?: TestDatabase, overrides: ProviderOverride[] = []): Promise<TestApp> {
  const db = database ?? (await createTestDatabase());
  const config = loadAppConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'crm-test-data-')),
    LOG_LEVEL: 'silent',
    PUBLIC_BASE_URL: 'http://localhost:8080',
    ...env,
    DATABASE_URL: db.url,
    DB_MIGRATE_ON_START: 'false',
  });
  let builder = Test.createTestingModule({ imports: [AppModule.register(config)] });
  for (const override of overrides) builder = builder.overrideProvider(override.provide).useValue(override.useValue);
  const moduleRef = await builder.compile();
  const app = configureApp(moduleRef.createNestApplication<NestExpressApplication>({ bufferLogs: true, bodyParser: false }), config);
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
