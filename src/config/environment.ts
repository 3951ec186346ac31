import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, Validate, ValidatorConstraint, validateSync,
} from 'class-validator';
import { isIP } from 'node:net';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const toBool = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'boolean') return value;
  const text = String(value).toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off'].includes(text)) return false;
  return value;
};
const blankToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);
const httpUrl = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address, `address/prefix` or a named range: the entries Express's `trust proxy` list takes. */
function isProxyEntry(entry: string): boolean {
  if (PROXY_RANGES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

@ValidatorConstraint({ name: 'proxyList' })
class ProxyList {
  validate(value: unknown): boolean {
    return typeof value === 'string' && value.split(',').map((entry) => entry.trim()).filter(Boolean).every(isProxyEntry);
  }

  defaultMessage(): string {
    return 'TRUST_PROXY must list proxy addresses or subnets (e.g. 10.0.0.5, 10.0.0.0/8) or loopback, linklocal, uniquelocal';
  }
}

/** The environment as the service accepts it. Every variable is documented in `.env.example`. */
export class Environment {
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT?: number;

  @IsOptional() @Transform(blankToUndefined) @IsString()
  HOST?: string;

  @IsOptional() @Transform(blankToUndefined) @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional() @Transform(blankToUndefined) @IsString()
  DATA_DIR?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  EMBEDDED_DB_PORT?: number;

  @IsOptional() @Transform(toBool) @IsBoolean()
  DB_MIGRATE_ON_START?: boolean;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(200)
  DB_POOL_SIZE?: number;

  @IsOptional() @Transform(blankToUndefined) @IsString()
  CORS_ORIGINS?: string;

  @IsOptional() @Transform(blankToUndefined) @Validate(ProxyList)
  TRUST_PROXY?: string;

  @IsOptional() @Transform(blankToUndefined) @IsString() @MinLength(16, { message: 'API_TOKEN must be at least 16 characters' })
  API_TOKEN?: string;

  @IsOptional() @Transform(blankToUndefined) @IsString() @MinLength(16, { message: 'WEBHOOK_TOKEN must be at least 16 characters' })
  WEBHOOK_TOKEN?: string;

  @IsOptional() @Transform(blankToUndefined) @IsUrl(httpUrl, { message: 'PUBLIC_BASE_URL must be an http(s) URL' })
  PUBLIC_BASE_URL?: string;

  @IsOptional() @Transform(blankToUndefined) @IsUrl(httpUrl, { message: 'FRONTEND_URL must be an http(s) URL' })
  FRONTEND_URL?: string;

  @IsOptional() @Transform(blankToUndefined)
  @Matches(/^https?:\/\/[^/]+\/rest\/\d+\/[^/]+\/?$/, { message: 'BITRIX_WEBHOOK_URL must look like https://portal/rest/<user id>/<secret>/' })
  BITRIX_WEBHOOK_URL?: string;

  @IsOptional() @Transform(blankToUndefined) @IsString()
  BITRIX_APP_TOKEN?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1440)
  BITRIX_SYNC_INTERVAL_MINUTES?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(100)
  BITRIX_REQUESTS_PER_SECOND?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1000)
  BITRIX_BURST?: number;

  @IsOptional() @Transform(blankToUndefined) @IsString()
  OPENAI_API_KEY?: string;

  @IsOptional() @Transform(blankToUndefined) @IsUrl(httpUrl, { message: 'OPENAI_BASE_URL must be an http(s) URL' })
  OPENAI_BASE_URL?: string;

  @IsOptional() @Transform(blankToUndefined) @IsString()
  OPENAI_MODEL?: string;

  @IsOptional() @Transform(blankToUndefined) @Matches(/^\d+:[A-Za-z0-9_-]+$/, { message: 'TELEGRAM_BOT_TOKEN must look like 123456:ABC…' })
  TELEGRAM_BOT_TOKEN?: string;

  @IsOptional() @Transform(blankToUndefined) @Matches(/^(-?\d+|@[A-Za-z0-9_]{5,})$/, { message: 'TELEGRAM_CHAT_ID must be a numeric chat id or @channelname' })
  TELEGRAM_CHAT_ID?: string;

  @IsOptional() @Transform(blankToUndefined) @IsUrl(httpUrl, { message: 'TELEGRAM_API_ROOT must be an http(s) URL' })
  TELEGRAM_API_ROOT?: string;

  @IsOptional() @Transform(blankToUndefined) @IsIn(['polling', 'webhook', 'off'])
  TELEGRAM_BOT_MODE?: string;

  @IsOptional() @Transform(blankToUndefined)
  @Matches(/^[A-Za-z0-9_-]{16,256}$/, { message: 'TELEGRAM_WEBHOOK_SECRET must be 16 to 256 letters, digits, _ or -' })
  TELEGRAM_WEBHOOK_SECRET?: string;

  @IsOptional() @Transform(blankToUndefined) @Matches(/^\s*-?\d+(\s*,\s*-?\d+)*\s*$/, { message: 'TELEGRAM_BOT_CHAT_IDS must be numeric chat ids separated by commas' })
  TELEGRAM_BOT_CHAT_IDS?: string;

  @IsOptional() @Transform(blankToUndefined) @IsString()
  PYTHON_PATH?: string;

  @IsOptional() @Transform(blankToUndefined) @IsIn(['faster-whisper', 'openai-whisper', 'openai-api'])
  TRANSCRIBE_BACKEND?: string;

  @IsOptional() @Transform(blankToUndefined) @IsString()
  WHISPER_MODEL?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(32)
  TRANSCRIBE_WORKERS?: number;

  @IsOptional() @Transform(blankToUndefined) @IsUrl(httpUrl, { message: 'TRANSCRIBE_BASE_URL must be an http(s) URL' })
  TRANSCRIBE_BASE_URL?: string;

  @IsOptional() @Transform(blankToUndefined) @IsString()
  TRANSCRIBE_API_KEY?: string;

  @IsOptional() @Transform(blankToUndefined) @IsIn(['ogg', 'mp3', 'wav'])
  TRANSCRIBE_UPLOAD_FORMAT?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(2048)
  TRANSCRIBE_MAX_UPLOAD_MB?: number;

  @IsOptional() @Transform(blankToUndefined) @IsIn(['all', 'api', 'worker'])
  ROLE?: string;

  @IsOptional() @Transform(blankToUndefined) @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;

  @IsOptional() @Transform(blankToUndefined) @Matches(/^\d+(kb|mb)$/i, { message: 'BODY_LIMIT must look like 1mb or 512kb' })
  BODY_LIMIT?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(2048)
  MAX_RECORDING_MB?: number;

  @IsOptional() @Transform(blankToUndefined) @IsString()
  DOWNLOAD_ALLOWED_HOSTS?: string;

  @IsOptional() @Transform(blankToUndefined) @IsString()
  TIME_ZONE?: string;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(64)
  PIPELINE_DOWNLOAD_CONCURRENCY?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(64)
  PIPELINE_TRANSCRIBE_CONCURRENCY?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(64)
  PIPELINE_ANALYSIS_CONCURRENCY?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(20)
  PIPELINE_RETRY_LIMIT?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(3600)
  PIPELINE_RETRY_DELAY_SEC?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(10) @Max(600)
  PIPELINE_HEARTBEAT_SEC?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(5) @Max(3600)
  PIPELINE_SWEEP_INTERVAL_SEC?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(1) @Max(1440)
  PIPELINE_STALE_MINUTES?: number;

  @IsOptional() @Transform(toInt) @IsInt() @Min(5) @Max(7200)
  DOWNLOAD_TIMEOUT_SEC?: number;
}

/** Validates `process.env`-like input; throws one message naming every bad variable. */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const env = plainToInstance(Environment, raw, { enableImplicitConversion: false });
  const errors = validateSync(env, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) {
    const lines = errors.map((error) => `${error.property}: ${Object.values(error.constraints ?? {}).join('; ')}`);
    throw new Error(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return env;
}
