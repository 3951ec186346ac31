// Prompt size per call: the static (cacheable) part against the call-specific part, on 50 synthetic Russian calls.
// Run from the repository root (Node 24 on PATH):
//   npx tsc --ignoreConfig bench/analysis-prompt.ts --outDir /tmp/bench-analysis-prompt --rootDir . --module nodenext --moduleResolution nodenext --target es2023 --skipLibCheck --types node && NODE_PATH=node_modules node /tmp/bench-analysis-prompt/bench/analysis-prompt.js
// (Compiled with tsc because Node's type stripping cannot resolve the extensionless CommonJS imports of src/.)
import { strict as assert } from 'node:assert';
import { ANALYSIS_RESPONSE_FORMAT } from '../src/integrations/analysis/analysis-answer.schema';
import { buildAnalysisPrompt } from '../src/integrations/analysis/analysis-prompt';
import { AnalysisRequest } from '../src/integrations/analysis/call-analyzer.port';
import { TranscriptSegment } from '../src/integrations/transcription/transcriber.port';
import { defaultSettings } from '../src/settings/settings.defaults';

const CALLS = 50;
/** OpenAI caches a prompt prefix only from this many tokens on. */
const CACHE_MIN_TOKENS = 1024;

/**
 * Not a real BPE tokenizer (none is installed): ASCII at ~4 characters per token, Cyrillic and other non-ASCII
 * at ~2.5, which is roughly what o200k_base does with Russian text. Figures are estimates; real ones come from `usage`.
 */
function estimateTokens(text: string): number {
  const nonAscii = text.replace(/[\x00-\x7f]/g, '').length;
  return Math.ceil((text.length - nonAscii) / 4 + nonAscii / 2.5);
}

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MANAGER_LINES = [
  'Здравствуйте, меня зовут {name}, компания «Облако», удобно говорить?',
  'Подскажите, сколько сотрудников у вас сейчас работает с клиентами?',
  'А как вы сейчас ведёте учёт заявок, в таблицах или в какой-то системе?',
  'Тариф {product} включает телефонию, интеграцию с почтой и отчёты по менеджерам.',
  'Понимаю ваши сомнения по цене, давайте посчитаем, сколько времени это сэкономит.',
  'Если оплатить за год, будет скидка пятнадцать процентов, и внедрение мы сделаем бесплатно.',
  'Давайте я пришлю коммерческое предложение и созвонимся в четверг в одиннадцать?',
  'Какие задачи для вас сейчас самые важные, что хотелось бы улучшить в первую очередь?',
];
const CLIENT_LINES = [
  'Да, здравствуйте, слушаю вас.',
  'У нас человек двадцать, из них двенадцать в продажах.',
  'Пока всё в таблицах, и заявки иногда теряются, это проблема.',
  'Честно говоря, дороговато выходит, у конкурентов дешевле.',
  'А интеграция с нашей бухгалтерией есть? Это для нас важно.',
  'Хорошо, присылайте, я посмотрю с руководителем и перезвоню.',
  'Нет, сейчас не интересно, может быть после нового года.',
  'А сколько займёт внедрение, если мы решим подключиться?',
];
const NAMES = ['Анна', 'Олег', 'Мария', 'Сергей', 'Ирина'];
const PRODUCTS = ['Бизнес', 'Команда', 'Профессиональный'];

function syntheticCall(seed: number): { segments: TranscriptSegment[]; durationSec: number } {
  const next = random(seed);
  const durationSec = Math.round(60 + next() * 14 * 60);
  const name = NAMES[Math.floor(next() * NAMES.length)];
  const segments: TranscriptSegment[] = [];
  for (let time = 0.5, turn = 0; time < durationSec - 3; turn++) {
    const manager = turn % 2 === 0;
    const pool = manager ? MANAGER_LINES : CLIENT_LINES;
    const sentences = 1 + Math.floor(next() * 3);
    const text = Array.from({ length: sentences }, () => pool[Math.floor(next() * pool.length)])
      .join(' ')
      .replace('{name}', name)
      .replace('{product}', PRODUCTS[Math.floor(next() * PRODUCTS.length)]);
    const speechSec = text.split(' ').length / 2.3;
    const end = Math.min(durationSec, time + speechSec);
    segments.push({ start: round(time), end: round(end), speaker: manager ? 'manager' : 'client', text });
    time = end + 0.3 + next() * 1.5;
  }
  return { segments, durationSec };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function percentile(values: number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))];
}

function main(): void {
  const settings = defaultSettings();
  const schema = JSON.stringify(ANALYSIS_RESPONSE_FORMAT);
  const rows = Array.from({ length: CALLS }, (_, index) => {
    const call = syntheticCall(index + 1);
    const request: AnalysisRequest = { kind: 'call', ...call, direction: 'incoming', managerName: 'Анна', settings };
    const prompt = buildAnalysisPrompt(request, call.segments);
    const callTokens = estimateTokens(prompt.user);
    return { index, minutes: call.durationSec / 60, system: prompt.system, staticTokens: estimateTokens(schema) + estimateTokens(prompt.system), callTokens };
  });

  assert.ok(rows.every((row) => row.system === rows[0].system), 'the static prefix differs between calls');
  console.log('call  minutes  static_tokens  call_tokens  total  call_tokens/min');
  for (const row of rows) {
    console.log(`${String(row.index + 1).padStart(4)}  ${row.minutes.toFixed(1).padStart(7)}  ${String(row.staticTokens).padStart(13)}  ${String(row.callTokens).padStart(11)}  ${String(row.staticTokens + row.callTokens).padStart(5)}  ${(row.callTokens / row.minutes).toFixed(0).padStart(15)}`);
  }
  const perMinute = rows.map((row) => row.callTokens / row.minutes);
  const totals = rows.map((row) => row.staticTokens + row.callTokens);
  const staticTokens = rows[0].staticTokens;
  console.log('');
  console.log(`tokenizer: estimate (ASCII chars/4 + non-ASCII chars/2.5), not a real BPE`);
  console.log(`static prefix: byte-identical across ${CALLS} calls: yes; ${staticTokens} tokens (system ${estimateTokens(rows[0].system)} + response_format schema ${estimateTokens(schema)})`);
  console.log(`static prefix ${staticTokens >= CACHE_MIN_TOKENS ? 'reaches' : 'is below'} OpenAI's ${CACHE_MIN_TOKENS}-token minimum for prompt caching`);
  console.log(`call-specific tokens per audio minute: median ${percentile(perMinute, 0.5).toFixed(0)}, p90 ${percentile(perMinute, 0.9).toFixed(0)}`);
  console.log(`prompt tokens per call: median ${percentile(totals, 0.5)}, p90 ${percentile(totals, 0.9)}, max ${Math.max(...totals)}`);
  console.log(`static share of prompt tokens: ${((staticTokens * CALLS) / totals.reduce((sum, value) => sum + value, 0) * 100).toFixed(1)}%`);
}

main();
