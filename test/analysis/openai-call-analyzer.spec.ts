import { IntegrationError } from '../../src/common/errors';
import { isLlmConfigured, OpenAICallAnalyzer, OpenAICallAnalyzerOptions } from '../../src/integrations/analysis/openai-call-analyzer';
import { createFakeChat, FakeChat } from '../fakes/openai-chat';
import { FakeOpenAI, startFakeOpenAI } from '../fakes/openai-server';
import { callRequest, SALES_CALL, segment, settingsWith } from './analysis-fixtures';

describe('OpenAICallAnalyzer against a fake OpenAI server', () => {
  let server: FakeOpenAI;
  let chat: FakeChat;

  beforeEach(async () => {
    chat = createFakeChat({ cacheMinTokens: 100 });
    server = await startFakeOpenAI({ 'POST /v1/chat/completions': chat.handler });
  });
  afterEach(() => server.close());

  function analyzer(options: Partial<OpenAICallAnalyzerOptions> = {}): OpenAICallAnalyzer {
    return new OpenAICallAnalyzer({ apiKey: 'sk-test', baseURL: server.baseURL, model: 'gpt-4o', timeoutMs: 2000, maxRetries: 2, retryBaseDelayMs: 10, ...options });
  }

  async function failure(promise: Promise<unknown>): Promise<IntegrationError> {
    const error = await promise.then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(IntegrationError);
    return error as IntegrationError;
  }

  it('turns a good answer into the product shape with one model request', async () => {
    const outcome = await analyzer().analyze(callRequest());

    expect(chat.received).toHaveLength(1);
    expect(Object.keys(outcome.analysis.sections)).toEqual(['greeting', 'needs', 'presentation', 'objections', 'closing', 'tone']);
    expect(outcome.analysis.checklist.map((verdict) => verdict.id)).toEqual(['greeting', 'needs', 'presentation', 'objections', 'closing', 'tone']);
    expect(outcome.analysis.checklist.every((verdict) => verdict.quoteVerified && verdict.passed === true)).toBe(true);
    expect(outcome.analysis.checklist[1].time).toBe(SALES_CALL[1].start);
    expect(outcome.scoreOverall).toBe(100);
    expect(outcome.analysis.scores.overall).toBe(100);
    expect(outcome.riskLevel).toBe('low');
    expect(outcome.metrics.managerQuestions).toBe(2);
    expect(outcome.criteriaVersion).toMatch(/^[0-9a-f]{12}$/);
  });

  it('reports tokens from the API usage and prices them, cached prefix included', async () => {
    const first = await analyzer().analyze(callRequest());
    const second = await analyzer().analyze(callRequest({ segments: SALES_CALL.slice(0, 4) }));

    expect(first.usage.model).toBe('gpt-4o-2024-08-06');
    expect(first.usage.cachedPromptTokens).toBe(0);
    expect(second.usage.cachedPromptTokens).toBeGreaterThan(0);
    const expected = ((second.usage.promptTokens - second.usage.cachedPromptTokens) * 2.5 + second.usage.cachedPromptTokens * 1.25 + second.usage.completionTokens * 10) / 1e6;
    expect(second.usage.costUsd).toBeCloseTo(expected, 6);
    expect(second.analysis.meta.costKnown).toBe(true);
  });

  it('sends a strict JSON schema that the server accepts, and the model from settings when set', async () => {
    await analyzer().analyze(callRequest({ settings: settingsWith((settings) => (settings.analysis.model = 'gpt-4.1-mini')) }));

    const request = chat.received[0].request;
    expect(request.model).toBe('gpt-4.1-mini');
    expect(request.response_format?.type).toBe('json_schema');
    expect(request.response_format?.json_schema?.strict).toBe(true);
  });

  it('assigns speaker roles to a mono transcript and computes metrics on them', async () => {
    const mono = SALES_CALL.map((line) => ({ ...line, speaker: 'unknown' as const }));
    const outcome = await analyzer().analyze(callRequest({ segments: mono }));

    expect(outcome.segments.map((line) => line.speaker)).toEqual(['manager', 'client', 'manager', 'client', 'manager', 'client']);
    expect(outcome.metrics.talkSec.manager).toBeGreaterThan(0);
    expect(outcome.metrics.talkSec.client).toBeGreaterThan(0);
  });

  describe('the speakers against the channel mapping', () => {
    const swappedCall = SALES_CALL.map((line) => ({ ...line, speaker: line.speaker === 'manager' ? 'client' as const : 'manager' as const }));

    it('confirms labels that the model reads the same way', async () => {
      const outcome = await analyzer().analyze(callRequest());

      expect(outcome.metrics.roleCheck).toBe('confirmed');
      expect(chat.received[0].request.messages[0].content).toContain('speakerLabels');
    });

    it('flags a call whose "client" introduces the company, and leaves its labels', async () => {
      const outcome = await analyzer().analyze(callRequest({ segments: swappedCall }));

      expect(outcome.metrics.roleCheck).toBe('contradicted');
      expect(outcome.segments).toEqual(swappedCall);
      expect(outcome.metrics.managerQuestions).toBe(0);
    });

    it('exchanges the labels when the setting allows, and computes the metrics on the exchanged ones', async () => {
      const settings = settingsWith((value) => (value.transcription.autoSwapRoles = true));
      const outcome = await analyzer().analyze(callRequest({ segments: swappedCall, settings }));

      expect(outcome.metrics.roleCheck).toBe('swapped');
      expect(outcome.segments).toEqual(SALES_CALL);
      expect(outcome.metrics.managerQuestions).toBe(2);
      expect(outcome.metrics.talkSec.manager).toBeGreaterThan(outcome.metrics.talkSec.client);
    });

    it('leaves a mono call unchecked', async () => {
      const mono = SALES_CALL.map((line) => ({ ...line, speaker: 'unknown' as const }));
      expect((await analyzer().analyze(callRequest({ segments: mono }))).metrics.roleCheck).toBe('unchecked');
    });

    it('never exchanges the speakers of a chat, whose messages say who wrote them', async () => {
      const settings = settingsWith((value) => (value.transcription.autoSwapRoles = true));
      const outcome = await analyzer().analyze(callRequest({ kind: 'chat', segments: swappedCall, settings }));

      expect(outcome.segments).toEqual(swappedCall);
      expect(outcome.metrics.roleCheck).toBe('unchecked');
    });
  });

  it('retries after a timeout of a slow server and succeeds', async () => {
    chat.script({ kind: 'slow', delayMs: 800 });
    const outcome = await analyzer({ timeoutMs: 300 }).analyze(callRequest());

    expect(chat.received.map((entry) => entry.behaviour)).toEqual(['slow', 'answer']);
    expect(outcome.scoreOverall).toBe(100);
  });

  it('gives up on a server that is always too slow with a timeout failure', async () => {
    chat.script({ kind: 'slow', delayMs: 800 }, { kind: 'slow', delayMs: 800 });
    const error = await failure(analyzer({ timeoutMs: 200, maxRetries: 1 }).analyze(callRequest()));

    expect(error.failure).toBe('timeout');
    expect(error.message).toContain('after 2 attempts');
  });

  it('waits as long as Retry-After says after a 429', async () => {
    chat.script({ kind: 'rate_limited', retryAfterSec: 1 });
    await analyzer().analyze(callRequest());

    expect(chat.received.map((entry) => entry.behaviour)).toEqual(['rate_limited', 'answer']);
    expect(chat.received[1].at - chat.received[0].at).toBeGreaterThanOrEqual(950);
  });

  it('leaves a far Retry-After to the caller instead of holding the worker', async () => {
    chat.script({ kind: 'rate_limited', retryAfterSec: 120 });
    const error = await failure(analyzer({ maxRetryDelayMs: 5000 }).analyze(callRequest()));

    expect(chat.received).toHaveLength(1);
    expect(error.failure).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(120_000);
  });

  it('retries a 500 and succeeds', async () => {
    chat.script({ kind: 'server_error' });
    await analyzer().analyze(callRequest());

    expect(chat.received.map((entry) => entry.behaviour)).toEqual(['server_error', 'answer']);
  });

  it('retries truncated and malformed answers', async () => {
    chat.script({ kind: 'truncated' }, { kind: 'malformed' });
    const outcome = await analyzer().analyze(callRequest());

    expect(chat.received.map((entry) => entry.behaviour)).toEqual(['truncated', 'malformed', 'answer']);
    expect(outcome.analysis.summary).not.toBe('');
  });

  it('fails with the schema violation as reason when every attempt breaks the schema', async () => {
    chat.script({ kind: 'schema_violation' }, { kind: 'schema_violation' }, { kind: 'schema_violation' });
    const error = await failure(analyzer().analyze(callRequest()));

    expect(chat.received).toHaveLength(3);
    expect(error.failure).toBe('bad_response');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/breaks the schema/);
  });

  it('does not retry rejected credentials', async () => {
    chat.script({ kind: 'unauthorized' });
    const error = await failure(analyzer().analyze(callRequest()));

    expect(chat.received).toHaveLength(1);
    expect(error.failure).toBe('auth');
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain('sk-test');
  });

  it('flags invented quotes and keeps their verdicts out of the score', async () => {
    chat.script({ kind: 'invented_quotes' });
    const outcome = await analyzer().analyze(callRequest());

    expect(outcome.analysis.checklist.every((verdict) => !verdict.quoteVerified && !verdict.counted)).toBe(true);
    expect(outcome.analysis.checklistPercent).toBeNull();
    expect(outcome.analysis.meta.unverifiedQuotes).toBe(6);
    expect(outcome.scoreOverall).toBe(75);
  });

  it('scores failed criteria and conflict into the risk level', async () => {
    chat.script({
      kind: 'answer',
      adjust: (answer) => {
        for (const item of answer.checklist.slice(2)) Object.assign(item, { passed: false, quote: '' });
        answer.conflict = { level: 'medium', detected: true, reasons: ['Клиент повысил голос'] };
      },
    });
    const outcome = await analyzer().analyze(callRequest());

    expect(outcome.scoreOverall).toBe(Math.round((3 / 10) * 100));
    expect(outcome.riskLevel).toBe('high');
  });

  it('masks personal data before the transcript leaves for the model', async () => {
    const segments = [segment(0, 5, 'client', 'Мой номер +7 (916) 123-45-67, почта ivan@example.ru'), ...SALES_CALL.slice(1)];
    await analyzer().analyze(callRequest({ segments, settings: settingsWith((settings) => (settings.analysis.piiRedaction = true)) }));

    const sent = JSON.stringify(chat.received[0].request.messages);
    expect(sent).not.toContain('123-45-67');
    expect(sent).not.toContain('ivan@example.ru');
    expect(sent).toContain('[телефон]');
  });

  it('counts dictionary products in the transcript and merges the model products', async () => {
    const settings = settingsWith((value) => (value.dictionaries.products = ['Тариф Бизнес', 'Телефония']));
    const outcome = await analyzer().analyze(callRequest({ settings }));

    expect(outcome.analysis.productMentions).toEqual([{ name: 'Тариф Бизнес', count: 2 }]);
    expect(outcome.analysis.products).toEqual(['Тариф Бизнес']);
  });

  it('reports an unreachable server as unavailable after its retries', async () => {
    const url = server.baseURL;
    await server.close();
    const error = await failure(new OpenAICallAnalyzer({ baseURL: url, model: 'gpt-4o', timeoutMs: 1000, maxRetries: 1, retryBaseDelayMs: 10 }).analyze(callRequest()));

    expect(error.failure).toBe('unavailable');
    expect(error.message).toContain('after 2 attempts');
  });

  it('refuses to run without an LLM configured', async () => {
    const error = await failure(new OpenAICallAnalyzer({ model: 'gpt-4o', timeoutMs: 1000, maxRetries: 0 }).analyze(callRequest()));

    expect(error.failure).toBe('not_configured');
    expect(chat.received).toHaveLength(0);
  });
});

describe('isLlmConfigured', () => {
  it('needs a key or an OpenAI-compatible base URL', () => {
    expect(isLlmConfigured({ apiKey: 'sk-1' })).toBe(true);
    expect(isLlmConfigured({ baseURL: 'http://127.0.0.1:11434/v1' })).toBe(true);
    expect(isLlmConfigured({ apiKey: ' ', baseURL: null })).toBe(false);
    expect(isLlmConfigured({})).toBe(false);
  });
});
