import { nestPhpKeys } from './php-query';

/**
 * Bitrix24 outbound events arrive form-encoded with PHP brackets (`data[CALL_ID]=…&auth[application_token]=…`).
 * Accepts the raw body or a flat object of bracketed keys (what a plain urlencoded parser gives) and returns
 * the nested object; an already nested object passes through.
 */
export function parseBitrixEventBody(body: string | Buffer | Record<string, unknown>): Record<string, unknown> {
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    return nestPhpKeys(new URLSearchParams(body.toString()).entries());
  }
  return nestPhpKeys(Object.entries(body).flatMap(([key, value]) => flatten(key, value)));
}

function flatten(key: string, value: unknown): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((item) => flatten(key.endsWith('[]') ? key : `${key}[]`, item));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([child, item]) => flatten(`${key}[${child}]`, item));
  }
  return [[key, value]];
}

export interface CallEndEvent {
  event: string;
  callId: string;
  applicationToken: string | null;
  domain: string | null;
  data: Record<string, string>;
}

/** The fields of ONVOXIMPLANTCALLEND we act on, or null for any other event (compared case-insensitively). */
export function readCallEndEvent(parsed: Record<string, unknown>): CallEndEvent | null {
  const event = String(parsed.event ?? '').toUpperCase();
  const data = (parsed.data ?? {}) as Record<string, string>;
  const auth = (parsed.auth ?? {}) as Record<string, string>;
  if (event !== 'ONVOXIMPLANTCALLEND' || typeof data.CALL_ID !== 'string' || data.CALL_ID === '') return null;
  return { event, callId: data.CALL_ID, applicationToken: auth.application_token ?? null, domain: auth.domain ?? null, data };
}
