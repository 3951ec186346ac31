/** PHP bracket syntax (`filter[>ID]=5&select[]=ID`), as Bitrix24 reads batch commands and sends events. */

export type PhpValue = string | number | boolean | null | undefined | PhpValue[] | { [key: string]: PhpValue };

/** Encodes params as a query string for a `batch` command; `$result[...]` references stay literal. */
export function encodePhpQuery(params: Record<string, PhpValue>): string {
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(params)) appendPairs(pairs, encodeURIComponent(key), value);
  return pairs.join('&');
}

function appendPairs(pairs: string[], key: string, value: PhpValue): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((item) => appendPairs(pairs, `${key}[]`, item));
  } else if (typeof value === 'object') {
    for (const [child, item] of Object.entries(value)) appendPairs(pairs, `${key}[${encodeURIComponent(child)}]`, item);
  } else {
    pairs.push(`${key}=${encodeValue(String(value === true ? 1 : value === false ? 0 : value))}`);
  }
}

function encodeValue(value: string): string {
  return isBatchReference(value) ? value : encodeURIComponent(value);
}

export function isBatchReference(value: string): boolean {
  return /^\$(result|next|total|time|error)\[/i.test(value);
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Builds a nested object from flat bracketed keys, as PHP's parse_str does. */
export function nestPhpKeys(entries: Iterable<[string, unknown]>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    const path = splitPhpKey(key);
    if (path && !path.some((part) => FORBIDDEN_KEYS.has(part))) assign(root, path, value);
  }
  return root;
}

function splitPhpKey(key: string): string[] | null {
  const match = /^([^[\]]+)((?:\[[^\]]*\])*)$/.exec(key);
  if (!match) return null;
  const rest = [...match[2].matchAll(/\[([^\]]*)\]/g)].map((part) => part[1]);
  return [match[1], ...rest];
}

function assign(node: Record<string, unknown> | unknown[], path: string[], value: unknown): void {
  const [head, ...rest] = path;
  const container = node as Record<string, unknown>;
  const key = head === '' && Array.isArray(node) ? String(node.length) : head;
  if (rest.length === 0) {
    container[key] = value;
    return;
  }
  let child = container[key];
  if (typeof child !== 'object' || child === null) {
    child = rest[0] === '' ? [] : {};
    container[key] = child;
  }
  assign(child as Record<string, unknown>, rest, value);
}
