import { resolve } from 'node:path';
import { Environment, validateEnvironment } from './environment';

export type ProcessRole = 'all' | 'api' | 'worker';

/** The whole configuration, read once at start. Secrets stay here and never reach a response. */
export interface AppConfig {
  port: number;
  /** Undefined: 127.0.0.1 when the API is open, all interfaces when API_TOKEN protects it. */
  host: string;
  role: ProcessRole;
  logLevel: string;
  bodyLimit: string;
  dataDir: string;
  database: {
    url?: string;
    embeddedPort?: number;
    migrateOnStart: boolean;
    poolSize: number;
  };
  corsOrigins: string[];
  apiToken?: string;
  webhookToken?: string;
  publicBaseUrl: string;
  frontendUrl: string;
  bitrix: {
    webhookUrl?: string;
    appToken?: string;
    syncIntervalMinutes?: number;
    requestsPerSecond: number;
    burst: number;
  };
  openai: { apiKey?: string; baseURL?: string; model: string };
  telegram: { botToken?: string; chatId?: string; apiRoot?: string };
  transcription: { pythonPath: string; backend: string; model: string; workers: number };
  recordings: { maxBytes: number; allowedHosts: string[] };
  /** Seeds the `timeZone` setting at first start. */
  timeZone?: string;
}

const list = (value?: string) => (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);

function assertTimeZone(zone: string | undefined): void {
  if (!zone) return;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new Error(`Invalid configuration:\n  TIME_ZONE: "${zone}" is not an IANA time zone`);
  }
}

export function buildAppConfig(env: Environment): AppConfig {
  assertTimeZone(env.TIME_ZONE);
  const port = env.PORT ?? 8080;
  const host = env.HOST ?? (env.API_TOKEN ? '0.0.0.0' : '127.0.0.1');
  const publicBaseUrl = (env.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  return {
    port,
    host,
    role: (env.ROLE as ProcessRole | undefined) ?? 'all',
    logLevel: env.LOG_LEVEL ?? 'info',
    bodyLimit: env.BODY_LIMIT ?? '1mb',
    dataDir: resolve(env.DATA_DIR ?? './data'),
    database: {
      url: env.DATABASE_URL,
      embeddedPort: env.EMBEDDED_DB_PORT,
      migrateOnStart: env.DB_MIGRATE_ON_START ?? true,
      poolSize: env.DB_POOL_SIZE ?? 10,
    },
    corsOrigins: list(env.CORS_ORIGINS ?? 'http://localhost:3000'),
    apiToken: env.API_TOKEN,
    webhookToken: env.WEBHOOK_TOKEN,
    publicBaseUrl,
    frontendUrl: (env.FRONTEND_URL ?? 'http://localhost:3000').replace(/\/+$/, ''),
    bitrix: {
      webhookUrl: env.BITRIX_WEBHOOK_URL?.replace(/\/+$/, ''),
      appToken: env.BITRIX_APP_TOKEN,
      syncIntervalMinutes: env.BITRIX_SYNC_INTERVAL_MINUTES,
      requestsPerSecond: env.BITRIX_REQUESTS_PER_SECOND ?? 2,
      burst: env.BITRIX_BURST ?? 50,
    },
    openai: { apiKey: env.OPENAI_API_KEY, baseURL: env.OPENAI_BASE_URL, model: env.OPENAI_MODEL ?? 'gpt-4o' },
    telegram: { botToken: env.TELEGRAM_BOT_TOKEN, chatId: env.TELEGRAM_CHAT_ID, apiRoot: env.TELEGRAM_API_ROOT },
    transcription: {
      pythonPath: env.PYTHON_PATH ?? 'python3',
      backend: env.TRANSCRIBE_BACKEND ?? 'faster-whisper',
      model: env.WHISPER_MODEL ?? 'small',
      workers: env.TRANSCRIBE_WORKERS ?? 1,
    },
    recordings: { maxBytes: (env.MAX_RECORDING_MB ?? 200) * 1024 * 1024, allowedHosts: list(env.DOWNLOAD_ALLOWED_HOSTS) },
    timeZone: env.TIME_ZONE,
  };
}

export function loadAppConfig(raw: Record<string, unknown> = process.env): AppConfig {
  return buildAppConfig(validateEnvironment(raw));
}

/** DI token for the typed configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
