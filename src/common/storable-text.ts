import { BadRequestException } from '@nestjs/common';

/** NUL, which PostgreSQL text cannot hold, or half of a UTF-16 surrogate pair, which is no character at all. */
const UNSTORABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * The path (`q`, `dictionaries.products.0`, as validation errors name fields) of the first string in parsed input,
 * key or value, that PostgreSQL cannot store; undefined when there is none. Bodies are depth-limited before they
 * get here.
 */
export function findUnstorableText(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : path || 'body';
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (!isStorableText(key)) return path || 'body';
    const found = findUnstorableText(item, path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return undefined;
}

export function unstorableTextError(path: string): BadRequestException {
  return new BadRequestException(`${path}: must be text without NUL characters or unpaired UTF-16 surrogates`);
}
