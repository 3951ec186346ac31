import { buildAnalysisPrompt, criteriaVersion, PROMPT_VERSION } from '../../src/integrations/analysis/analysis-prompt';
import { costOf, priceOf } from '../../src/integrations/analysis/model-pricing';
import { DEFAULT_CHECKLIST } from '../../src/settings/settings.defaults';
import { callRequest, SALES_CALL, segment, settingsWith } from './analysis-fixtures';

describe('analysis prompt', () => {
  it('keeps the static part byte-identical across calls and the call in the last message', () => {
    const first = callRequest();
    const second = callRequest({ segments: [segment(0, 3, 'client', 'Алло, это доставка?')], durationSec: 3, direction: 'outgoing', managerName: 'Олег' });
    const a = buildAnalysisPrompt(first, first.segments);
    const b = buildAnalysisPrompt(second, second.segments);

    expect(a.system).toBe(b.system);
    expect(a.system).not.toContain('Анна');
    expect(b.user).toContain('[0] 00:00 C: Алло, это доставка?');
    expect(b.user).toContain('Manager: Олег');
  });

  it('lists the configured checklist and the output language in the static part', () => {
    const request = callRequest({ settings: settingsWith((settings) => {
      settings.analysis.language = 'en';
      settings.analysis.checklist = [{ id: 'price', title: 'Цена', description: 'Names the price.', weight: 3 }];
    }) });
    const prompt = buildAnalysisPrompt(request, request.segments);

    expect(prompt.system).toContain('- price (weight 3) Цена: Names the price.');
    expect(prompt.system).toContain('in English');
    expect(buildAnalysisPrompt(callRequest(), SALES_CALL).system).toContain('in Russian');
  });

  it('has a chat variant', () => {
    const chat = buildAnalysisPrompt(callRequest({ kind: 'chat' }), SALES_CALL);
    expect(chat.system).toContain('written chat');
    expect(chat.system).not.toBe(buildAnalysisPrompt(callRequest(), SALES_CALL).system);
  });

  it('versions the criteria by content, not by object identity', () => {
    const copy = DEFAULT_CHECKLIST.map((criterion) => ({ ...criterion }));
    expect(criteriaVersion(copy)).toBe(criteriaVersion(DEFAULT_CHECKLIST));
    copy[0].weight = 5;
    expect(criteriaVersion(copy)).not.toBe(criteriaVersion(DEFAULT_CHECKLIST));
    expect(PROMPT_VERSION).toMatch(/\S/);
  });
});

describe('model pricing', () => {
  it('prices input, cached input and output tokens per million', () => {
    expect(costOf('gpt-4o', { promptTokens: 1_000_000, cachedPromptTokens: 400_000, completionTokens: 100_000 })).toEqual({ costUsd: 1.5 + 0.5 + 1, known: true });
    expect(costOf('gpt-4.1-mini', { promptTokens: 2000, cachedPromptTokens: 0, completionTokens: 500 }).costUsd).toBeCloseTo(0.0016, 8);
  });

  it('takes dated snapshots at their family price, the most specific family first', () => {
    expect(priceOf('gpt-4o-mini-2024-07-18')).toEqual(priceOf('gpt-4o-mini'));
    expect(priceOf('gpt-4o-2024-08-06')).toEqual(priceOf('gpt-4o'));
  });

  it('says so when a model has no price', () => {
    expect(costOf('llama3:8b', { promptTokens: 5000, cachedPromptTokens: 0, completionTokens: 900 })).toEqual({ costUsd: 0, known: false });
  });
});
