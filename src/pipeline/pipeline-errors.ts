import { IntegrationError } from '../common/errors';
import { UnsafeUrlError } from './recording/ssrf-guard';

/** A stage failed for a reason a person can read; `retryable` says whether another attempt may succeed. */
export class StageError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
    this.name = 'StageError';
  }
}

export function isRetryable(error: unknown): boolean {
  if (error instanceof StageError || error instanceof IntegrationError) return error.retryable;
  return !(error instanceof UnsafeUrlError);
}

/** The reason stored on the call: our own messages are free of secrets by construction. */
export function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.slice(0, 2000) || 'Unknown error';
}
