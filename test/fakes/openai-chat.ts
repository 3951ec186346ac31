import { IncomingMessage, ServerResponse } from 'node:http';
import { FakeOpenAIHandler, sendJson } from './openai-server';

/**
 * `POST /v1/chat/completions` for the fake OpenAI server. Like the real API with Structured Outputs it refuses
 * a `response_format` that is not a strict JSON schema, and its answers fit the schema it was given. Tests
 * script what the next requests meet; with an empty script it answers well.
 */
export type ChatBehaviour =
  | { kind: 'answer'; adjust?: (answer: FakeAnswer, transcript: TranscriptLine[]) => void }
  | { kind: 'slow'; delayMs: number }
  | { kind: 'rate_limited'; retryAfterSec: number }
  | { kind: 'server_error' }
  | { kind: 'unauthorized' }
  | { kind: 'truncated' }
  | { kind: 'malformed' }
  | { kind: 'schema_violation' }
  | { kind: 'invented_quotes' };

export interface TranscriptLine {
  index: number;
  speaker: 'M' | 'C' | '?';
  text: string;
}

// The fake builds answers as plain JSON: it must not depend on the code under test.
export type FakeAnswer = Record<string, any>;

export interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: JsonSchema } };
}

export interface FakeChat {
  handler: FakeOpenAIHandler;
  /** Behaviours for the next requests, in order. */
  script(...behaviours: ChatBehaviour[]): void;
  /** Every request with the behaviour it met. */
  received: { request: ChatRequest; behaviour: ChatBehaviour['kind']; at: number }[];
}

export interface FakeChatOptions {
  /** OpenAI caches prompt prefixes of at least 1024 tokens. */
  cacheMinTokens?: number;
}

type JsonSchema = Record<string, any>;

export function createFakeChat(options: FakeChatOptions = {}): FakeChat {
  const queue: ChatBehaviour[] = [];
  const received: FakeChat['received'] = [];
  const seenPrefixes = new Set<string>();
  const cacheMinTokens = options.cacheMinTokens ?? 1024;

  const handler: FakeOpenAIHandler = async (req, res, body) => {
    const request = JSON.parse(body.toString('utf8')) as ChatRequest;
    const behaviour = queue.shift() ?? { kind: 'answer' };
    received.push({ request, behaviour: behaviour.kind, at: Date.now() });
    if (!req.headers.authorization?.startsWith('Bearer ')) return apiError(res, 401, 'You did not provide an API key.', 'invalid_request_error');
    const schemaProblem = strictSchemaProblem(request);
    if (schemaProblem) return apiError(res, 400, schemaProblem, 'invalid_request_error', 'response_format');
    const cached = cachedTokens(request, seenPrefixes, cacheMinTokens);
    await behave(behaviour, req, res, request, cached);
  };

  return { handler, received, script: (...behaviours) => queue.push(...behaviours) };
}

async function behave(behaviour: ChatBehaviour, req: IncomingMessage, res: ServerResponse, request: ChatRequest, cached: number): Promise<void> {
  const transcript = parseTranscript(request);
  switch (behaviour.kind) {
    case 'answer': {
      const answer = goodAnswer(request, transcript);
      behaviour.adjust?.(answer, transcript);
      return complete(res, request, JSON.stringify(answer), 'stop', cached);
    }
    case 'slow':
      await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
      if (res.destroyed || req.socket.destroyed) return;
      return complete(res, request, JSON.stringify(goodAnswer(request, transcript)), 'stop', cached);
    case 'rate_limited':
      return apiError(res, 429, 'Rate limit reached for requests', 'requests', undefined, { 'retry-after': String(behaviour.retryAfterSec) });
    case 'server_error':
      return apiError(res, 500, 'The server had an error while processing your request.', 'server_error');
    case 'unauthorized':
      return apiError(res, 401, 'Incorrect API key provided.', 'invalid_request_error');
    case 'truncated': {
      const full = JSON.stringify(goodAnswer(request, transcript));
      return complete(res, request, full.slice(0, Math.floor(full.length / 2)), 'length', cached);
    }
    case 'malformed':
      return complete(res, request, `Here is the analysis: ${JSON.stringify(goodAnswer(request, transcript))}`, 'stop', cached);
    case 'schema_violation': {
      const answer = goodAnswer(request, transcript);
      answer.scores.greeting = 7;
      delete answer.summary;
      return complete(res, request, JSON.stringify(answer), 'stop', cached, false);
    }
    case 'invented_quotes': {
      const answer = goodAnswer(request, transcript);
      for (const item of answer.checklist) item.quote = 'Мы гарантируем скидку пятьдесят процентов навсегда';
      return complete(res, request, JSON.stringify(answer), 'stop', cached);
    }
  }
}

function complete(res: ServerResponse, request: ChatRequest, content: string, finishReason: string, cached: number, checkSchema = true): void {
  if (checkSchema && finishReason === 'stop' && content.startsWith('{')) {
    const problem = schemaMismatch(JSON.parse(content), request.response_format!.json_schema!.schema, '$');
    if (problem) return apiError(res, 500, `fake chat built an answer outside the requested schema: ${problem}`, 'server_error');
  }
  const promptTokens = estimateTokens(request.messages.map((message) => message.content).join('\n') + JSON.stringify(request.response_format));
  const completionTokens = estimateTokens(content);
  sendJson(res, 200, {
    id: `chatcmpl-fake-${Date.now()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: `${request.model}-2024-08-06`,
    system_fingerprint: 'fp_fake',
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: finishReason }],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
  });
}

function apiError(res: ServerResponse, status: number, message: string, type: string, param?: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: { message, type, param: param ?? null, code: null } }, { 'x-request-id': `req_fake_${Date.now()}`, ...headers });
}

/** Cyrillic takes more tokens per character than Latin script. */
export function estimateTokens(text: string): number {
  const nonAscii = text.replace(/[\x00-\x7f]/g, '').length;
  return Math.ceil((text.length - nonAscii) / 4 + nonAscii / 2.5);
}

/** The system message and schema come first; a prefix seen before is served from cache in 128-token steps. */
function cachedTokens(request: ChatRequest, seen: Set<string>, minTokens: number): number {
  const prefix = JSON.stringify(request.response_format) + (request.messages[0]?.content ?? '');
  const prefixTokens = estimateTokens(prefix);
  const hit = seen.has(prefix);
  seen.add(prefix);
  return hit && prefixTokens >= minTokens ? Math.floor(prefixTokens / 128) * 128 : 0;
}

function parseTranscript(request: ChatRequest): TranscriptLine[] {
  const user = request.messages.find((message) => message.role === 'user')?.content ?? '';
  return [...user.matchAll(/^\[(\d+)\] \d+:\d\d ([MC?]): (.*)$/gm)].map((match) => ({
    index: Number(match[1]),
    speaker: match[2] as TranscriptLine['speaker'],
    text: match[3],
  }));
}

function criterionIds(request: ChatRequest): string[] {
  const system = request.messages.find((message) => message.role === 'system')?.content ?? '';
  return [...system.matchAll(/^- (\S+) \(weight /gm)].map((match) => match[1]);
}

/** A plausible answer that quotes real lines: the first words of one line per criterion. */
function goodAnswer(request: ChatRequest, transcript: TranscriptLine[]): FakeAnswer {
  const keys = ['greeting', 'needs', 'presentation', 'objections', 'closing', 'tone'];
  const quoteOf = (position: number) => (transcript.length ? transcript[position % transcript.length].text.split(' ').slice(0, 6).join(' ') : '');
  return {
    speakerRoles: transcript.filter((line) => line.speaker === '?').map((line) => ({ segment: line.index, speaker: line.index % 2 === 0 ? 'manager' : 'client' })),
    speakerLabels: speakerLabels(transcript),
    scores: Object.fromEntries(keys.map((key) => [key, 4])),
    sections: keys.map((key) => ({ key, how_it_was: `Этап ${key} пройден`, how_to_improve: 'Уточнять потребности глубже' })),
    checklist: criterionIds(request).map((id, position) => ({ id, passed: true, quote: quoteOf(position) })),
    sentiment: { client: 'neutral', manager: 'positive', overall: 0.3 },
    conflict: { level: 'low', detected: false, reasons: [] },
    emotions: transcript.slice(0, 1).map((line) => ({ segment: line.index, speaker: line.speaker === 'C' ? 'client' : 'manager', emotion: 'interest' })),
    recommendations: ['Назначить дату следующего звонка'],
    alternative_phrases: ['Давайте я расскажу, как это решит вашу задачу'],
    script_improvements: ['Добавить вопрос о бюджете'],
    summary: 'Клиент интересовался продуктом, договорились созвониться.',
    tags: ['консультация'],
    rootCause: null,
    products: ['Тариф Бизнес'],
    refusalReasons: [],
    nextSteps: ['Перезвонить в пятницу'],
  };
}

/** Reads the roles as a model would from one clue: the side that introduces the company represents it. */
function speakerLabels(transcript: TranscriptLine[]): 'as_labelled' | 'swapped' | 'unclear' {
  const introduction = transcript.find((line) => /компани/i.test(line.text));
  if (!introduction || transcript.some((line) => line.speaker === '?')) return 'unclear';
  return introduction.speaker === 'M' ? 'as_labelled' : 'swapped';
}

/** What OpenAI checks before accepting a strict schema: every object closed and every property required. */
function strictSchemaProblem(request: ChatRequest): string | null {
  const format = request.response_format;
  if (format?.type !== 'json_schema' || !format.json_schema?.schema) return "response_format must be of type 'json_schema' for this fake";
  if (format.json_schema.strict !== true) return 'json_schema.strict must be true';
  return strictnessProblem(format.json_schema.schema, '$');
}

function strictnessProblem(schema: JsonSchema, path: string): string | null {
  if (schema.type === 'object' || schema.properties) {
    const keys = Object.keys(schema.properties ?? {});
    if (schema.additionalProperties !== false) return `Invalid schema: ${path} must set additionalProperties to false`;
    const missing = keys.filter((key) => !(schema.required ?? []).includes(key));
    if (missing.length) return `Invalid schema: ${path} must list every property in required (missing ${missing.join(', ')})`;
    for (const key of keys) {
      const problem = strictnessProblem(schema.properties[key], `${path}.${key}`);
      if (problem) return problem;
    }
  }
  if (schema.items) return strictnessProblem(schema.items, `${path}[]`);
  for (const option of schema.anyOf ?? []) {
    const problem = strictnessProblem(option, path);
    if (problem) return problem;
  }
  return null;
}

function schemaMismatch(value: unknown, schema: JsonSchema, path: string): string | null {
  if (schema.anyOf) return schema.anyOf.some((option: JsonSchema) => !schemaMismatch(value, option, path)) ? null : `${path} matches no option`;
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length && !types.some((type) => hasType(value, type))) return `${path} is not ${types.join('|')}`;
  if (schema.enum && !schema.enum.includes(value)) return `${path} is not one of ${schema.enum.join(', ')}`;
  if (typeof value === 'number' && (value < (schema.minimum ?? -Infinity) || value > (schema.maximum ?? Infinity))) return `${path} out of range`;
  if (Array.isArray(value) && schema.items) return firstProblem(value.map((item, index) => schemaMismatch(item, schema.items, `${path}[${index}]`)));
  if (value && typeof value === 'object' && schema.properties) return objectMismatch(value as Record<string, unknown>, schema, path);
  return null;
}

function objectMismatch(value: Record<string, unknown>, schema: JsonSchema, path: string): string | null {
  const extra = Object.keys(value).find((key) => !(key in schema.properties));
  if (extra) return `${path}.${extra} is not allowed`;
  const missing = (schema.required ?? []).find((key: string) => !(key in value));
  if (missing) return `${path}.${missing} is missing`;
  return firstProblem(Object.keys(value).map((key) => schemaMismatch(value[key], schema.properties[key], `${path}.${key}`)));
}

function hasType(value: unknown, type: string): boolean {
  if (type === 'null') return value === null;
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'array') return Array.isArray(value);
  if (type === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value);
  return typeof value === type;
}

function firstProblem(problems: (string | null)[]): string | null {
  return problems.find((problem) => problem !== null) ?? null;
}
