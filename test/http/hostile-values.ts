import fc from 'fast-check';

/** A value an attacker puts where a parameter goes; each place (path, query, header, body) writes it its own way. */
export type Hostile =
  | { kind: 'text'; text: string }
  /** A number as written: `1e308`, `-2147483649`, `0x10`, `NaN`. In JSON it is sent as a number when JSON allows. */
  | { kind: 'number'; literal: string }
  /** Several values where one goes: a repeated query parameter, a JSON array. */
  | { kind: 'list'; items: string[] }
  /** An object where a scalar goes: `name[key]=…` in a query, a JSON object. */
  | { kind: 'object'; entries: [string, string][] }
  | { kind: 'deep'; depth: number; array: boolean }
  /** Bad percent-encoding, sent in a URL as it is. */
  | { kind: 'garbage'; raw: string };

const SPECIAL_TEXTS = [
  '', ' ', '\0', 'a\0b', '\uD800', 'x\uDFFF', '\uDC00\uD800', '\uFFFF', '\uFEFF', '😀', '%', '%00', '[]', '{}', 'null', 'undefined', 'true',
  '__proto__', 'constructor', 'toString', "' OR 1=1 --", '"; DROP TABLE calls; --', '\\', '../../etc/passwd', '<script>alert(1)</script>',
  '$result[x]', 'a,b,,c', ',', 'Infinity', '-', '+', '*', '.*', '\n\r\t', 'http://127.0.0.1:5432/', 'file:///etc/passwd',
];

const ODD_DATES = [
  '0001-01-01', '0000-00-00', '9999-12-31', '1969-12-31', '1999-12-31', '2026-02-29', '2026-02-30', '2026-13-01', '2026-1-1', '+275760-09-13',
  '-271821-04-20', '+002026-01-01', '9999-12-31T23:59:59.999Z', '0001-01-01T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:00:00+25:00',
  '2026-01-01T00:00:00.123456789Z', '2026-W53-7', '2026-366', '20260101T000000Z', '2026-01', '2026', 'T00:00', '1e308',
];

const NUMBER_LITERALS = [
  '2147483647', '2147483648', '-2147483648', '-2147483649', '4294967296', '9007199254740993', '-9007199254740993', '1e308', '1e309', '-1e308',
  '1e-400', '0', '-0', '00', '1.5', '0.5', '-1', '1E3', '0x10', '0b1', '0o7', '1_000', 'NaN', 'Infinity', '-Infinity', ' 1 ', '１', '٣',
];

const GARBAGE = ['%', '%Z', '%ZZ', '%00', '%E0%A4', '%ED%A0%80', '%C0%AF', '%FF%FE', '%%32%30', '%2e%2e', '%2F', '%u0041', '..', '%25ZZ'];

const hostileChar = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  fc.constantFrom('\0', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uFFFF', '%', '[', ']', '&', '=', '+', '#', '?', '/', '\\', "'", '"', '\n', ','),
);

function formatOddDate(parts: { year: number; month: number; day: number; time: boolean }): string {
  const year = parts.year < 0 || parts.year > 9999 ? `${parts.year < 0 ? '-' : '+'}${String(Math.abs(parts.year)).padStart(6, '0')}` : String(parts.year).padStart(4, '0');
  const date = `${year}-${String(parts.month).padStart(2, '0')}-${String(parts.day).padStart(2, '0')}`;
  return parts.time ? `${date}T12:00:00Z` : date;
}

const oddDate = fc.oneof(
  fc.constantFrom(...ODD_DATES),
  fc.record({ year: fc.integer({ min: -300_000, max: 300_000 }), month: fc.integer({ min: 0, max: 13 }), day: fc.integer({ min: 0, max: 32 }), time: fc.boolean() })
    .map(formatOddDate),
);

const longText = fc.record({ unit: fc.constantFrom('a', 'я', '😀', '\0', '\uD800', '%', '1'), times: fc.integer({ min: 256, max: 200_000 }) })
  .map(({ unit, times }) => unit.repeat(times));

export const hostileText = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: hostileChar, maxLength: 40 }) },
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_TEXTS) },
  { weight: 2, arbitrary: oddDate },
  { weight: 1, arbitrary: longText },
);

export const numberLiteral = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NUMBER_LITERALS) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
);

const scalarText = fc.oneof(hostileText, numberLiteral);

/** Gives a value a short text for fast-check's report: a counterexample may hold 200,000 characters. */
export function labelled<T extends object>(value: T, label: string): T {
  return Object.defineProperty(value, fc.toStringMethod, { value: () => label, enumerable: false });
}

export function shortText(text: string): string {
  return text.length > 60 ? `${JSON.stringify(text.slice(0, 40))}… (${text.length} characters)` : JSON.stringify(text);
}

function label(value: Hostile): string {
  switch (value.kind) {
    case 'text':
      return `text ${shortText(value.text)}`;
    case 'number':
      return `number ${value.literal}`;
    case 'list':
      return `list [${value.items.map(shortText).join(', ')}]`;
    case 'object':
      return `object {${value.entries.map(([key, item]) => `${JSON.stringify(key)}: ${shortText(item)}`).join(', ')}}`;
    case 'deep':
      return `${value.array ? 'arrays' : 'objects'} nested ${value.depth} deep`;
    case 'garbage':
      return `garbage ${value.raw}`;
  }
}

const anyHostileValue: fc.Arbitrary<Hostile> = fc.oneof(
  { weight: 4, arbitrary: hostileText.map((text) => ({ kind: 'text' as const, text })) },
  { weight: 3, arbitrary: numberLiteral.map((literal) => ({ kind: 'number' as const, literal })) },
  { weight: 1, arbitrary: fc.array(scalarText, { maxLength: 4 }).map((items) => ({ kind: 'list' as const, items })) },
  {
    weight: 1,
    arbitrary: fc.array(fc.tuple(fc.constantFrom('a', '0', '__proto__', 'constructor', '$gt', ''), scalarText), { minLength: 1, maxLength: 3 })
      .map((entries) => ({ kind: 'object' as const, entries })),
  },
  { weight: 1, arbitrary: fc.record({ depth: fc.integer({ min: 30, max: 20_000 }), array: fc.boolean() }).map((deep) => ({ kind: 'deep' as const, ...deep })) },
  { weight: 1, arbitrary: fc.constantFrom(...GARBAGE).map((raw) => ({ kind: 'garbage' as const, raw })) },
);

export const hostileValue = anyHostileValue.map((value) => labelled({ ...value }, label(value)));

/** Tried at every parameter before the generated values: one of each kind that has made a service fail. */
export const HOSTILE_EXAMPLES: Hostile[] = ([
  { kind: 'text', text: 'ab\0cd' },
  { kind: 'text', text: 'ab\uD800cd' },
  { kind: 'text', text: 'x'.repeat(10_000) },
  { kind: 'text', text: '0001-01-01' },
  { kind: 'text', text: '9999-12-31T00:00:00Z' },
  { kind: 'number', literal: '2147483648' },
  { kind: 'number', literal: '-2147483649' },
  { kind: 'number', literal: '1e308' },
  { kind: 'number', literal: '1.5' },
  { kind: 'list', items: ['1', '2'] },
  { kind: 'object', entries: [['a', '1']] },
  { kind: 'deep', depth: 10_000, array: false },
  { kind: 'garbage', raw: '%ZZ' },
] as Hostile[]).map((value) => labelled(value, label(value)));

/**
 * Percent-encodes text as a browser would, except that a lone surrogate becomes the three bytes it would have in
 * UTF-8 (which no decoder accepts) instead of an exception.
 */
export function percentEncode(text: string): string {
  let encoded = '';
  for (let index = 0; index < text.length; index++) {
    const code = text.codePointAt(index)!;
    if (code > 0xffff) index++;
    const char = String.fromCodePoint(code);
    if (/[A-Za-z0-9\-._~]/.test(char)) encoded += char;
    else encoded += [...utf8Bytes(code)].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return encoded;
}

function utf8Bytes(code: number): number[] {
  if (code < 0x80) return [code];
  if (code < 0x800) return [0xc0 | (code >> 6), 0x80 | (code & 0x3f)];
  if (code < 0x10000) return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
  return [0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
}

/** JSON text sent as it is (a number JSON allows but JavaScript cannot hold, a body nested thousands deep). */
export class RawJson {
  constructor(readonly text: string) {}
}

export type JsonNode = string | number | boolean | null | RawJson | JsonNode[] | { [key: string]: JsonNode };

export function toJsonText(node: JsonNode): string {
  if (node instanceof RawJson) return node.text;
  if (Array.isArray(node)) return `[${node.map(toJsonText).join(',')}]`;
  if (node !== null && typeof node === 'object') return `{${Object.entries(node).map(([key, value]) => `${JSON.stringify(key)}:${toJsonText(value)}`).join(',')}}`;
  return JSON.stringify(node);
}

export function deepJson(depth: number, array: boolean): RawJson {
  return new RawJson(array ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** The value in a JSON body. */
export function asJson(value: Hostile): JsonNode {
  switch (value.kind) {
    case 'text':
      return value.text;
    case 'number':
      return JSON_NUMBER.test(value.literal) ? new RawJson(value.literal) : value.literal;
    case 'list':
      return value.items.map((item) => (JSON_NUMBER.test(item) ? new RawJson(item) : item));
    case 'object':
      return Object.fromEntries(value.entries);
    case 'deep':
      return deepJson(value.depth, value.array);
    case 'garbage':
      return value.raw;
  }
}

/** The value as `name=value` pairs of a query string or a form body, names in PHP bracket form. */
export function asPairs(name: string, value: Hostile): [string, string][] {
  const key = encodeName(name);
  switch (value.kind) {
    case 'text':
      return [[key, percentEncode(value.text)]];
    case 'number':
      return [[key, percentEncode(value.literal)]];
    case 'list':
      return value.items.map((item) => [key, percentEncode(item)]);
    case 'object':
      return value.entries.map(([child, item]) => [`${key}[${percentEncode(child)}]`, percentEncode(item)]);
    case 'deep':
      return [[`${key}${'[a]'.repeat(Math.min(value.depth, 2_000))}`, '1']];
    case 'garbage':
      return [[key, value.raw]];
  }
}

/** Brackets stay readable (`data[CALL_ID]`), everything else is encoded. */
function encodeName(name: string): string {
  return name.split(/([[\]])/).map((part) => (part === '[' || part === ']' ? part : percentEncode(part))).join('');
}

/** The value as one path segment. */
export function asPathSegment(value: Hostile): string {
  switch (value.kind) {
    case 'text':
      return percentEncode(value.text);
    case 'number':
      return percentEncode(value.literal);
    case 'list':
      return value.items.map(percentEncode).join(',');
    case 'object':
      return percentEncode(JSON.stringify(Object.fromEntries(value.entries)));
    case 'deep':
      return percentEncode(deepJson(Math.min(value.depth, 2_000), value.array).text);
    case 'garbage':
      return value.raw;
  }
}

/** The value as text, e.g. a multipart field or a header (where only printable ASCII can go). */
export function asText(value: Hostile): string[] {
  switch (value.kind) {
    case 'text':
      return [value.text];
    case 'number':
      return [value.literal];
    case 'list':
      return value.items;
    case 'object':
      return [JSON.stringify(Object.fromEntries(value.entries))];
    case 'deep':
      return [deepJson(Math.min(value.depth, 2_000), value.array).text];
    case 'garbage':
      return [value.raw];
  }
}
