/** USD per one million tokens, OpenAI list prices. */
export interface ModelPrice {
  input: number;
  cachedInput: number;
  output: number;
}

export const MODEL_PRICES: Record<string, ModelPrice> = {
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
};

export interface TokenUsage {
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
}

export interface Cost {
  costUsd: number;
  /** False when the model has no price here: the cost is then 0, not free. */
  known: boolean;
}

/** Dated snapshots (`gpt-4o-2024-08-06`) take the price of their family; the longest family name wins. */
export function priceOf(model: string): ModelPrice | null {
  const family = Object.keys(MODEL_PRICES)
    .filter((name) => model === name || model.startsWith(`${name}-`))
    .sort((a, b) => b.length - a.length)[0];
  return family ? MODEL_PRICES[family] : null;
}

export function costOf(model: string, usage: TokenUsage): Cost {
  const price = priceOf(model);
  if (!price) return { costUsd: 0, known: false };
  const cached = Math.min(usage.cachedPromptTokens, usage.promptTokens);
  const micros = (usage.promptTokens - cached) * price.input + cached * price.cachedInput + usage.completionTokens * price.output;
  return { costUsd: Math.round(micros) / 1e6, known: true };
}
