export type IntegrationName = 'bitrix' | 'openai' | 'telegram' | 'transcription';

/** Why a remote system refused or failed; decides retry and the HTTP status we answer with. */
export type IntegrationFailure =
  | 'not_configured'
  | 'auth'
  | 'scope'
  | 'not_found'
  | 'bad_request'
  | 'rate_limited'
  | 'unavailable'
  | 'timeout'
  | 'bad_response';

const RETRYABLE: ReadonlySet<IntegrationFailure> = new Set(['rate_limited', 'unavailable', 'timeout', 'bad_response']);

/** A failure of Bitrix24, the LLM, Telegram or the recogniser. The message never carries a secret. */
export class IntegrationError extends Error {
  constructor(
    readonly integration: IntegrationName,
    readonly failure: IntegrationFailure,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'IntegrationError';
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.failure);
  }
}
