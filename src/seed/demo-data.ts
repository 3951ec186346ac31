import type { CallAnalysis, ChecklistVerdict, Emotion, ScoreKey } from '../integrations/analysis/call-analyzer.port';
import { SCORE_KEYS } from '../integrations/analysis/call-analyzer.port';
import { checklistPercent, failedCriteria, overallScore, riskLevel } from '../integrations/analysis/checklist-scoring';
import type { TranscriptSegment } from '../integrations/transcription/transcriber.port';
import type { ChecklistCriterion, RiskLevel, RiskThresholds } from '../settings/settings.types';
import {
  CRITERION_NOTES, DEMO_CLIENTS, DEMO_COMPANIES, DEMO_COMPETITORS, DEMO_DAYS, DEMO_PRODUCTS, DEMO_SCRIPTS, DemoScript, DemoSpeaker,
} from './demo-scripts';

/** A deterministic pseudo-random sequence, so every demo seed gives the same data. */
export function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

export function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)];
}

export const DEMO_DEPARTMENTS = ['Отдел продаж (демо)', 'Отдел по работе с ключевыми клиентами (демо)', 'Поддержка (демо)'];
export const SUPPORT_DEPARTMENT = 2;

/** Name, department (index), position, and how well they work (0..1): the leaderboard spreads from it. */
export const DEMO_EMPLOYEES = [
  ['Анна Смирнова (демо)', 0, 'Старший менеджер', 0.92],
  ['Иван Петров (демо)', 0, 'Менеджер по продажам', 0.55],
  ['Мария Кузнецова (демо)', 0, 'Менеджер по продажам', 0.72],
  ['Олег Соколов (демо)', 1, 'Менеджер по ключевым клиентам', 0.8],
  ['Елена Волкова (демо)', 1, 'Руководитель направления', 0.3],
  ['Дмитрий Новиков (демо)', 2, 'Специалист поддержки', 0.62],
] as const;

/** The values a script's placeholders take in one call. */
export interface DemoFill {
  manager: string;
  client: string;
  company: string;
  competitor: string;
  product: string;
  seats: string;
  day: string;
  amount: string;
}

export interface DemoLine {
  speaker: DemoSpeaker;
  text: string;
}

/** One analysed conversation: its lines, and the analysis the pipeline would have stored for them. */
export interface DemoConversation {
  script: DemoScript;
  fill: DemoFill;
  lines: DemoLine[];
  analysis: Omit<CallAnalysis, 'meta'> & { meta: Record<string, unknown> };
  score: number;
  risk: RiskLevel;
}

export function demoFill(manager: string, random: () => number): DemoFill {
  return {
    manager: manager.replace(' (демо)', ''),
    client: pick(DEMO_CLIENTS, random),
    company: pick(DEMO_COMPANIES, random),
    competitor: pick(DEMO_COMPETITORS, random),
    product: pick(DEMO_PRODUCTS, random),
    seats: String(5 + Math.floor(random() * 40)),
    day: pick(DEMO_DAYS, random),
    amount: new Intl.NumberFormat('ru-RU').format((20 + Math.floor(random() * 180)) * 1000).replace(/\s/g, ' '),
  };
}

/** One of the items, the more likely the heavier it is. */
export function pickWeighted<T extends { weight: number }>(items: readonly T[], random: () => number): T {
  let point = random() * items.reduce((sum, item) => sum + item.weight, 0);
  return items.find((item) => (point -= item.weight) < 0) ?? items[items.length - 1];
}

/** A script the manager's department handles (sales now and then takes a complaint), by the scripts' weights. */
export function pickScript(support: boolean, random: () => number): DemoScript {
  return pickWeighted(DEMO_SCRIPTS.filter((script) => Boolean(script.support) === support || (!support && random() < 0.15)), random);
}

/**
 * The conversation as a manager of this skill has it: each criterion passes or fails by chance weighted by skill
 * and the script's ease, the spoken line follows the verdict, and score and risk come from the product's own rules.
 */
export function demoConversation(
  script: DemoScript, fill: DemoFill, skill: number, checklist: ChecklistCriterion[], thresholds: RiskThresholds, random: () => number,
): DemoConversation {
  const verdicts = new Map(checklist.map((criterion) => [criterion.id, verdictFor(script, criterion.id, skill, random)]));
  const lines = script.turns.map((turn) => ({
    speaker: turn.speaker,
    text: fillIn(turn.criterion && verdicts.get(turn.criterion) === false && turn.weak ? turn.weak : turn.text, fill),
  }));
  const quoted = (id: string) => script.turns.findIndex((turn) => turn.criterion === id);
  const verdictList: ChecklistVerdict[] = checklist.map((criterion) => {
    const passed = verdicts.get(criterion.id) ?? null;
    const line = quoted(criterion.id);
    const quote = passed && line >= 0 ? lines[line].text : '';
    return { id: criterion.id, title: criterion.title, passed, quote, time: null, weight: criterion.weight, quoteVerified: quote !== '', counted: passed !== null };
  });
  const scores = Object.fromEntries(SCORE_KEYS.map((key) => [key, scoreFor(verdicts.get(key), skill, random)])) as Record<ScoreKey, number>;
  const conflict = script.conflict && (script.conflict.level === 'high' || random() < 0.7)
    ? { level: script.conflict.level, detected: true, reasons: script.conflict.reasons }
    : { level: 'low' as RiskLevel, detected: false, reasons: [] };
  const score = overallScore(verdictList, { ...scores });
  const risk = riskLevel(score, conflict, failedCriteria(verdictList), thresholds);
  return { script, fill, lines, score, risk, analysis: analysisOf(script, fill, lines, verdictList, { ...scores, overall: score }, conflict, random) };
}

const LEAD_SEC = 0.5;
const PAUSE_SEC = 0.4;

/** Turns in time: each as long as its recording (`durations`) or as reading it aloud takes, with a pause between. */
export function timedSegments(lines: DemoLine[], durations?: number[]): TranscriptSegment[] {
  let time = LEAD_SEC;
  return lines.map((line, index) => {
    const start = time;
    time += durations?.[index] ?? 1.2 + line.text.length / 15;
    const segment = { start: round(start), end: round(time), speaker: line.speaker, text: line.text };
    time += PAUSE_SEC;
    return segment;
  });
}

/** The analysis with quote times and emotions placed on the conversation's timed segments. */
export function withTimes(conversation: DemoConversation, segments: TranscriptSegment[]): DemoConversation['analysis'] {
  const { analysis, script } = conversation;
  const checklist = analysis.checklist.map((verdict) => {
    const line = script.turns.findIndex((turn) => turn.criterion === verdict.id);
    return verdict.quote && line >= 0 ? { ...verdict, time: segments[line].start } : verdict;
  });
  const emotions = analysis.emotions.map((emotion, index) => ({ ...emotion, time: segments[index]?.start ?? emotion.time }));
  return { ...analysis, checklist, emotions };
}

export function fillIn(template: string, fill: DemoFill): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in fill ? fill[key as keyof DemoFill] : whole));
}

function verdictFor(script: DemoScript, criterion: string, skill: number, random: () => number): boolean | null {
  if (script.notApplicable.includes(criterion)) return null;
  return random() < skill * 0.85 + script.ease;
}

function scoreFor(passed: boolean | null | undefined, skill: number, random: () => number): number {
  if (passed === null || passed === undefined) return 3;
  return passed ? (random() < skill ? 5 : 4) : random() < 0.5 ? 1 : 2;
}

function analysisOf(
  script: DemoScript, fill: DemoFill, lines: DemoLine[], checklist: ChecklistVerdict[], scores: CallAnalysis['scores'],
  conflict: CallAnalysis['conflict'], random: () => number,
): DemoConversation['analysis'] {
  const failed = checklist.filter((verdict) => verdict.passed === false).map((verdict) => CRITERION_NOTES[verdict.id]).filter(Boolean);
  const section = (key: ScoreKey) => {
    const verdict = checklist.find((item) => item.id === key)?.passed;
    const notes = CRITERION_NOTES[key];
    return verdict === false ? { how_it_was: notes.failed, how_to_improve: notes.improve } : { how_it_was: notes.passed, how_to_improve: 'Сохранять этот подход.' };
  };
  const emotion = (speaker: DemoSpeaker): Emotion => speaker === 'manager' ? 'neutral' : script.client === 'positive' ? 'interest' : script.client === 'negative' ? 'irritation' : 'doubt';
  const products = script.id.startsWith('complaint') ? [] : [fill.product];
  return {
    scores,
    sections: Object.fromEntries(SCORE_KEYS.map((key) => [key, section(key)])) as CallAnalysis['sections'],
    sentiment: { client: script.client, manager: scores.tone >= 4 ? 'positive' : scores.tone <= 2 ? 'negative' : 'neutral', overall: script.client === 'positive' ? 0.6 : script.client === 'negative' ? -0.7 : 0 },
    conflict,
    recommendations: failed.length > 0 ? failed.map((notes) => notes.improve) : ['Сохранять структуру звонка: она работает'],
    alternative_phrases: failed.map((notes) => fillIn(notes.phrase, fill)),
    script_improvements: script.scriptImprovements,
    summary: fillIn(pick(script.summaries, random), fill),
    checklist,
    checklistPercent: checklistPercent(checklist),
    emotions: timedSegments(lines).map((segment) => ({ time: segment.start, speaker: segment.speaker === 'client' ? 'client' : 'manager', emotion: emotion(segment.speaker as DemoSpeaker) })),
    tags: script.tags,
    rootCause: script.rootCause,
    products,
    productMentions: products.map((name) => ({ name, count: 1 })),
    competitorMentions: lines.some((line) => line.text.includes(fill.competitor)) ? [{ name: fill.competitor, count: 1 }] : [],
    refusalReasons: script.refusalReasons,
    nextSteps: script.nextSteps.map((step) => fillIn(step, fill)),
    speakerRoles: [],
    meta: { model: 'demo', promptVersion: 'demo', criteriaVersion: 'demo', promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0, costUsd: 0, costKnown: true, piiRedacted: false, unverifiedQuotes: 0, demo: true },
  };
}

function round(seconds: number): number {
  return Math.round(seconds * 10) / 10;
}
