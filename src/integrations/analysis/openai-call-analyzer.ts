import { Logger } from '@nestjs/common';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { IntegrationError } from '../../common/errors';
import { AnalysisAnswer, AnalysisAnswerSchema, ANALYSIS_RESPONSE_FORMAT } from './analysis-answer.schema';
import { assembleOutcome, segmentsForModel } from './analysis-assembly';
import { AnalysisPrompt, buildAnalysisPrompt } from './analysis-prompt';
import { AnalysisOutcome, AnalysisRequest, CallAnalyzer } from './call-analyzer.port';
import { TokenUsage } from './model-pricing';

export interface OpenAICallAnalyzerOptions {
  apiKey?: string | null;
  /** Any OpenAI-compatible server (vLLM, Ollama, a proxy); unset means api.openai.com. */
  baseURL?: string | null;
  /** Used unless the stored settings name a model. */
  model: string;
  /** Per request. */
  timeoutMs: number;
  /** Retries after the first attempt, on 429, 5xx, timeouts and unusable answers. */
  maxRetries: number;
  /** First back-off step; doubles per retry. */
  retryBaseDelayMs?: number;
  /** A longer wait (e.g. a far `Retry-After`) is left to the caller's queue instead of holding the worker. */
  maxRetryDelayMs?: number;
  /** Caps the answer, and with it the cost of one call. */
  maxOutputTokens?: number;
}

/** Local OpenAI-compatible servers need no key, so a base URL alone also counts as configured. */
export function isLlmConfigured(options: Pick<OpenAICallAnalyzerOptions, 'apiKey' | 'baseURL'>): boolean {
  return Boolean(options.apiKey?.trim() || options.baseURL?.trim());
}

interface ModelAnswer {
  answer: AnalysisAnswer;
  model: string;
  tokens: TokenUsage;
}

export class OpenAICallAnalyzer extends CallAnalyzer {
  private readonly logger = new Logger(OpenAICallAnalyzer.name);
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAICallAnalyzerOptions) {
    super();
    this.client = new OpenAI({
      apiKey: options.apiKey?.trim() || 'not-needed',
      baseURL: options.baseURL?.trim() || undefined,
      timeout: options.timeoutMs,
      // Retries are ours alone, so their number and back-off are predictable.
      maxRetries: 0,
    });
  }

  async analyze(request: AnalysisRequest): Promise<AnalysisOutcome> {
    if (!isLlmConfigured(this.options)) {
      throw new IntegrationError('openai', 'not_configured', 'No LLM is configured: set OPENAI_API_KEY or OPENAI_BASE_URL');
    }
    const model = request.settings.analysis.model?.trim() || this.options.model;
    const prompt = buildAnalysisPrompt(request, segmentsForModel(request));
    const reply = await this.withRetries(() => this.requestAnswer(model, prompt));
    return assembleOutcome(request, reply.answer, reply.model, reply.tokens);
  }

  private async requestAnswer(model: string, prompt: AnalysisPrompt): Promise<ModelAnswer> {
    const startedAt = Date.now();
    const completion = await this.client.chat.completions
      .create({
        model,
        messages: [
          { role: 'system', content: prompt.system },
          { role: 'user', content: prompt.user },
        ],
        response_format: ANALYSIS_RESPONSE_FORMAT,
        temperature: 0.2,
        max_tokens: this.options.maxOutputTokens ?? 4096,
      })
      .catch((error: unknown) => {
        throw this.reachedDeadline(error, startedAt) ? timedOut() : toIntegrationError(error);
      });
    return { answer: parseAnswer(completion), model: completion.model || model, tokens: tokenUsage(completion) };
  }

  /** Some runtimes (e.g. a VM realm) surface the SDK's timeout abort as a plain connection error; the clock tells. */
  private reachedDeadline(error: unknown, startedAt: number): boolean {
    return error instanceof APIConnectionError && Date.now() - startedAt >= this.options.timeoutMs;
  }

  private async withRetries<T>(attempt: () => Promise<T>): Promise<T> {
    for (let retry = 0; ; retry++) {
      try {
        return await attempt();
      } catch (error) {
        const failure = toIntegrationError(error);
        const delayMs = this.backoffMs(retry, failure);
        const exhausted = retry >= this.options.maxRetries || delayMs > (this.options.maxRetryDelayMs ?? 60_000);
        if (!failure.retryable || exhausted) throw withAttempts(failure, retry + 1);
        this.logger.warn(`LLM attempt ${retry + 1} failed (${failure.message}); retrying in ${delayMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  private backoffMs(retry: number, failure: IntegrationError): number {
    if (failure.retryAfterMs !== undefined) return failure.retryAfterMs;
    const step = (this.options.retryBaseDelayMs ?? 1000) * 2 ** retry;
    return Math.round(step * (0.75 + Math.random() * 0.5));
  }
}

function parseAnswer(completion: ChatCompletion): AnalysisAnswer {
  const choice = completion.choices?.[0];
  if (!choice) throw badResponse('the answer has no choices');
  if (choice.message.refusal) throw new IntegrationError('openai', 'bad_request', `the model refused: ${choice.message.refusal}`);
  if (choice.finish_reason === 'length') throw badResponse('the answer was cut off at the token limit');
  let json: unknown;
  try {
    json = JSON.parse(choice.message.content ?? '');
  } catch {
    throw badResponse('the answer is not valid JSON');
  }
  const parsed = AnalysisAnswerSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badResponse(`the answer breaks the schema at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

function tokenUsage(completion: ChatCompletion): TokenUsage {
  return {
    promptTokens: completion.usage?.prompt_tokens ?? 0,
    cachedPromptTokens: completion.usage?.prompt_tokens_details?.cached_tokens ?? 0,
    completionTokens: completion.usage?.completion_tokens ?? 0,
  };
}

function timedOut(): IntegrationError {
  return new IntegrationError('openai', 'timeout', 'the LLM did not answer in time');
}

function badResponse(reason: string): IntegrationError {
  return new IntegrationError('openai', 'bad_response', reason);
}

function toIntegrationError(error: unknown): IntegrationError {
  if (error instanceof IntegrationError) return error;
  if (error instanceof APIConnectionTimeoutError) return timedOut();
  if (error instanceof APIConnectionError) return new IntegrationError('openai', 'unavailable', 'the LLM server cannot be reached');
  if (error instanceof APIError && error.status !== undefined) return fromStatus(error);
  throw error;
}

function fromStatus(error: APIError): IntegrationError {
  const status = error.status as number;
  const detail = `HTTP ${status}${error.code ? ` ${error.code}` : ''}`;
  if (status === 429) return new IntegrationError('openai', 'rate_limited', `rate limited (${detail})`, retryAfterMs(error.headers));
  if (status === 401 || status === 403) return new IntegrationError('openai', 'auth', `the LLM rejected the credentials (${detail})`);
  if (status === 404) return new IntegrationError('openai', 'not_found', `the model or endpoint does not exist (${detail})`);
  if (status === 408 || status === 409 || status >= 500) return new IntegrationError('openai', 'unavailable', `the LLM server failed (${detail})`);
  return new IntegrationError('openai', 'bad_request', `the LLM refused the request (${detail})`);
}

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const milliseconds = Number(headers?.get('retry-after-ms'));
  if (Number.isFinite(milliseconds) && milliseconds > 0) return milliseconds;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function withAttempts(failure: IntegrationError, attempts: number): IntegrationError {
  if (attempts === 1) return failure;
  return new IntegrationError('openai', failure.failure, `${failure.message} (after ${attempts} attempts)`, failure.retryAfterMs);
}
