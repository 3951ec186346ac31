/** Keys of a Bitrix24 event's `auth` that are credentials; `domain` and `member_id` stay to tell portals apart. */
const CREDENTIAL_KEYS = new Set(['application_token', 'access_token', 'refresh_token', 'client_secret', 'password', 'token']);

/** The event as stored: credentials removed from `auth`, and URLs without their user info and query (signed links). */
export function redactPayload(payload: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...payload };
  if (isObject(copy.auth)) {
    copy.auth = Object.fromEntries(Object.entries(copy.auth).filter(([key]) => !CREDENTIAL_KEYS.has(key.toLowerCase())));
  }
  if (typeof copy.recordUrl === 'string') copy.recordUrl = redactUrl(copy.recordUrl);
  return copy;
}

export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    const query = url.search ? '?[redacted]' : '';
    return `${url.protocol}//${url.host}${url.pathname}${query}`;
  } catch {
    return '[not a URL]';
  }
}

/** A JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
