import { IntegrationFailure } from '../../common/errors';

/** `{"error": {...}}` as python/transcribe.py writes it. */
export interface WorkerErrorBody {
  code: string;
  message: string;
  retryAfterSec?: number;
}

const FAILURE_OF_CODE: Record<string, IntegrationFailure> = {
  file_not_found: 'not_found',
  unreadable_audio: 'bad_request',
  bad_request: 'bad_request',
  too_large: 'bad_request',
  engine_missing: 'not_configured',
  not_configured: 'not_configured',
  auth: 'auth',
  rate_limited: 'rate_limited',
  timeout: 'timeout',
  unavailable: 'unavailable',
  bad_response: 'bad_response',
  engine_failed: 'unavailable',
};

export function failureOfWorkerCode(code: string): IntegrationFailure {
  return FAILURE_OF_CODE[code] ?? 'unavailable';
}
