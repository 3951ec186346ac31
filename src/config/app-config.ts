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
  /** Reverse proxies whose X-Forwarded-For names the client; empty: the connecting address is the client. */
  trustProxy: string[];
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
  telegram: { botToken?: string; chatId?: string; apiRoot?: string; bot: TelegramBotConfig };
  transcription: {
    pythonPath: string;
    backend: 'faster-whisper' | 'openai-whisper' | 'openai-api';
    model: string;
    workers: number;
    /** openai-api engine: its server (OPENAI_BASE_URL when unset) and key (OPENAI_API_KEY when unset). */
    baseUrl?: string;
    apiKey?: string;
    /** openai-api engine: how audio is sent, and the server's request size limit in MiB. */
    uploadFormat: 'ogg' | 'mp3' | 'wav';
    maxUploadMb: number;
  };
  recordings: { maxBytes: number; allowedHosts: string[]; downloadTimeoutMs: number };
  pipeline: PipelineConfig;
  /** Seeds the `timeZone` setting at first start. */
  timeZone?: string;
}

/** The bot that answers commands: how it gets them, and the chats it answers besides TELEGRAM_CHAT_ID. */
export interface TelegramBotConfig {
  mode: 'polling' | 'webhook' | 'off';
  /** Telegram sends it with every webhook request; required in webhook mode. */
  webhookSecret?: string;
  extraChatIds: string[];
}

/** The call processing queue: per-stage concurrency in each worker process, retries and crash recovery. */
export interface PipelineConfig {
  downloadConcurrency: number;
  transcribeConcurrency: number;
  analysisConcurrency: number;
  /** Retries of a failing stage after its first attempt, with exponential back-off from retryDelaySec. */
  retryLimit: number;
  retryDelaySec: number;
  /** A job whose worker stops sending heartbeats for this long (e.g. a killed process) is retried. */
  heartbeatSec: number;
  sweepIntervalSec: number;
  /** A call in progress this long without a live job is queued again by the sweep. */
  staleMinutes: number;
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
    trustProxy: list(env.TRUST_PROXY),
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
    telegram: { botToken: env.TELEGRAM_BOT_TOKEN, chatId: env.TELEGRAM_CHAT_ID, apiRoot: env.TELEGRAM_API_ROOT, bot: telegramBot(env) },
    transcription: {
      pythonPath: env.PYTHON_PATH ?? 'python3',
      backend: (env.TRANSCRIBE_BACKEND as AppConfig['transcription']['backend'] | undefined) ?? 'faster-whisper',
      model: env.WHISPER_MODEL ?? (env.TRANSCRIBE_BACKEND === 'openai-api' ? 'whisper-1' : 'small'),
      workers: env.TRANSCRIBE_WORKERS ?? 1,
      baseUrl: env.TRANSCRIBE_BASE_URL ?? env.OPENAI_BASE_URL,
      apiKey: env.TRANSCRIBE_API_KEY ?? env.OPENAI_API_KEY,
      uploadFormat: (env.TRANSCRIBE_UPLOAD_FORMAT as AppConfig['transcription']['uploadFormat'] | undefined) ?? 'ogg',
      maxUploadMb: env.TRANSCRIBE_MAX_UPLOAD_MB ?? 25,
    },
    recordings: {
      maxBytes: (env.MAX_RECORDING_MB ?? 200) * 1024 * 1024,
      allowedHosts: list(env.DOWNLOAD_ALLOWED_HOSTS),
      downloadTimeoutMs: (env.DOWNLOAD_TIMEOUT_SEC ?? 300) * 1000,
    },
    pipeline: {
      downloadConcurrency: env.PIPELINE_DOWNLOAD_CONCURRENCY ?? 4,
      transcribeConcurrency: env.PIPELINE_TRANSCRIBE_CONCURRENCY ?? env.TRANSCRIBE_WORKERS ?? 1,
      analysisConcurrency: env.PIPELINE_ANALYSIS_CONCURRENCY ?? 4,
      retryLimit: env.PIPELINE_RETRY_LIMIT ?? 4,
      retryDelaySec: env.PIPELINE_RETRY_DELAY_SEC ?? 30,
      heartbeatSec: env.PIPELINE_HEARTBEAT_SEC ?? 30,
      sweepIntervalSec: env.PIPELINE_SWEEP_INTERVAL_SEC ?? 60,
      staleMinutes: env.PIPELINE_STALE_MINUTES ?? 15,
    },
    timeZone: env.TIME_ZONE,
  };
}

function telegramBot(env: Environment): TelegramBotConfig {
  const mode = (env.TELEGRAM_BOT_MODE as TelegramBotConfig['mode'] | undefined) ?? 'polling';
  if (mode === 'webhook' && !env.TELEGRAM_WEBHOOK_SECRET) {
    throw new Error('Invalid configuration:\n  TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_BOT_MODE is webhook');
  }
  return { mode, webhookSecret: env.TELEGRAM_WEBHOOK_SECRET, extraChatIds: list(env.TELEGRAM_BOT_CHAT_IDS) };
}

export function loadAppConfig(raw: Record<string, unknown> = process.env): AppConfig {
  return buildAppConfig(validateEnvironment(raw));
}

/** DI token for the typed configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');
