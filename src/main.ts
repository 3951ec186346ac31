import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { createApp, prepareDatabase } from './bootstrap';
import { onShutdownSignal } from './common/shutdown';
import { loadAppConfig } from './config/app-config';

async function main(): Promise<void> {
  // Recordings, prepared audio and uploads are the customers' conversations: no one else may read what we write.
  process.umask(0o077);
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadAppConfig(process.env);
  const database = await prepareDatabase(config);
  const app = await createApp(config);
  const logger = new Logger('Main');
  await app.listen(config.port, config.host);
  if (!config.apiToken) logger.warn(`API_TOKEN is not set: the API is open to anyone who can reach ${config.host}:${config.port}`);
  logger.log(`Listening on http://${config.host}:${config.port}/api (Swagger UI at /api/docs)`);
  const shutdown = async (signal: string) => {
    logger.log(`${signal} received: finishing in-flight requests`);
    await app.close();
    await database.stop();
    process.exit(0);
  };
  onShutdownSignal(shutdown);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
