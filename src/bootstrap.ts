import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { errorBody } from './common/http-error.filter';
import { createValidationPipe } from './common/validation';
import { limitBodyDepth } from './common/body-depth';
import { AppConfig } from './config/app-config';
import { secureDataDir } from './database/data-dir';
import { startEmbeddedDatabase, RunningDatabase } from './database/embedded-database';
import { runMigrations } from './database/data-source';
import { setupSwagger } from './swagger';

/** Resolves the database (embedded when no DATABASE_URL) and applies migrations unless switched off. */
export async function prepareDatabase(config: AppConfig): Promise<RunningDatabase> {
  if (config.database.url) secureDataDir(config.dataDir);
  const database = config.database.url
    ? { url: config.database.url, stop: async () => undefined }
    : await startEmbeddedDatabase(config.dataDir, config.database.embeddedPort);
  config.database.url = database.url;
  if (config.database.migrateOnStart) {
    const applied = await runMigrations(database.url);
    if (applied.length) new Logger('Database').log(`Applied migrations: ${applied.join(', ')}`);
  }
  return database;
}

/** The HTTP application as it runs in production. */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), { bufferLogs: true, bodyParser: false });
  return configureApp(app, config);
}

/** Everything the HTTP layer needs beyond the modules; tests apply it to their own application. */
export function configureApp(app: NestExpressApplication, config: AppConfig): NestExpressApplication {
  app.useLogger(app.get(PinoLogger));
  // X-Forwarded-For names the client only when a configured proxy sends it; anyone else could rotate it freely.
  app.set('trust proxy', config.trustProxy.length > 0 ? config.trustProxy : false);
  // Answers are built per request from live data: hashing every body for an ETag costs more than it saves.
  app.set('etag', false);
  app.setGlobalPrefix('api');
  app.use(helmet({ crossOriginResourcePolicy: { policy: 'cross-origin' } }));
  app.use(notFoundOutsideApi);
  app.useBodyParser('json', { limit: config.bodyLimit });
  app.useBodyParser('urlencoded', { limit: config.bodyLimit, extended: true });
  app.use(limitBodyDepth);
  app.enableCors({ origin: config.corsOrigins, credentials: true, exposedHeaders: ['X-Request-Id', 'Content-Range', 'Accept-Ranges'] });
  app.useGlobalPipes(createValidationPipe());
  setupSwagger(app);
  return app;
}

const API_PATH = /^\/api(\/|$)/i;

/** Nothing is served outside `/api`: such paths get the common JSON error, not Express's HTML page. */
function notFoundOutsideApi(request: Request, response: Response, next: NextFunction): void {
  if (API_PATH.test(request.path)) return next();
  response.status(404).json(errorBody(404, `Cannot ${request.method} ${request.path}`));
}
