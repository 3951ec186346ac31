import { existsSync } from 'node:fs';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { prepareDatabase } from './bootstrap';
import { onShutdownSignal } from './common/shutdown';
import { AppConfig, loadAppConfig } from './config/app-config';

/** The pipeline without HTTP: several of these can run beside one API process (`ROLE=api`). */
async function createWorker(config: AppConfig): Promise<INestApplicationContext> {
  const context = await NestFactory.createApplicationContext(AppModule.register({ ...config, role: 'worker' }), { bufferLogs: true });
  context.useLogger(context.get(PinoLogger));
  return context.init();
}

async function main(): Promise<void> {
  // Recordings, prepared audio and uploads are the customers' conversations: no one else may read what we write.
  process.umask(0o077);
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = loadAppConfig(process.env);
  const database = await prepareDatabase(config);
  const worker = await createWorker(config);
  const logger = new Logger('Worker');
  logger.log('Processing calls (no HTTP in this process)');
  const shutdown = async (signal: string) => {
    logger.log(`${signal} received: finishing the jobs in hand`);
    await worker.close();
    await database.stop();
    process.exit(0);
  };
  onShutdownSignal(shutdown);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
