import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { loadAppConfig } from '../config/app-config';
import { runMigrations } from './data-source';
import { startEmbeddedDatabase } from './embedded-database';

/** `npm run migrate`: applies pending migrations to DATABASE_URL, or to the embedded database under DATA_DIR. */
async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadAppConfig(process.env);
  const database = config.database.url
    ? { url: config.database.url, stop: async () => undefined }
    : await startEmbeddedDatabase(config.dataDir, config.database.embeddedPort);
  try {
    const applied = await runMigrations(database.url);
    new Logger('Migrations').log(applied.length ? `Applied: ${applied.join(', ')}` : 'The schema is up to date');
  } finally {
    await database.stop();
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
