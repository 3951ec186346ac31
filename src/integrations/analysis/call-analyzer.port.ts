import { RiskLevel, Settings } from '../../settings/settings.types';
import { Speaker, TranscriptSegment } from '../transcription/transcriber.port';

export const SCORE_KEYS = ['greeting', 'needs', 'presentation', 'objections', 'closing', 'tone'] as const;
export type ScoreKey = (typeof SCORE_KEYS)[number];

export type Tone = 'positive' | 'neutral' | 'negative';
export type Emotion = 'neutral' | 'interest' | 'joy' | 'doubt' | 'confusion' | 'anxiety' | 'irritation' | 'anger';

export interface ChecklistVerdict {
  id: string;
  title: string;
  /** null: the criterion did not apply to this conversation. */
  passed: boolean | null;
  quote: string;
  /** Seconds from the start; null when there is no verified quote. */
  time: number | null;
  weight: number;
  /** The quote was found in the transcript. */
  quoteVerified: boolean;
  /** The verdict takes part in the percentage (applicable, and not resting on an invented quote). */
  counted: boolean;
}

export interface Mention {
  name: string;
  count: number;
}

export interface AnalysisMeta {
  model: string;
  promptVersion: string;
  criteriaVersion: string;
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
  costUsd: number;
  /** False when the model is missing from the price table, so `costUsd` is 0 for lack of a price. */
  costKnown: boolean;
  piiRedacted: boolean;
  unverifiedQuotes: number;
}

export interface CallAnalysis {
  scores: Record<ScoreKey, number> & { overall: number };
  sections: Record<ScoreKey, { how_it_was: string; how_to_improve: string }>;
  sentiment: { client: Tone; manager: Tone; overall: number };
  conflict: { level: RiskLevel; detected: boolean; reasons: string[] };
  recommendations: string[];
  alternative_phrases: string[];
  script_improvements: string[];
  summary: string;
  checklist: ChecklistVerdict[];
  /** Weighted share of passed counted verdicts, 0..100; null when no verdict counts. */
  checklistPercent: number | null;
  emotions: { time: number; speaker: 'manager' | 'client'; emotion: Emotion }[];
  tags: string[];
  rootCause: string | null;
  products: string[];
  productMentions: Mention[];
  competitorMentions: Mention[];
  refusalReasons: string[];
  nextSteps: string[];
  speakerRoles: { segment: number; speaker: 'manager' | 'client' }[];
  meta: AnalysisMeta;
}

export interface PerSpeaker<T> {
  manager: T;
  client: T;
}

/**
 * Whether the analysis read the speakers as the channel mapping labelled them: `confirmed`; `contradicted` (the
 * labels are left as they are, so the talk metrics may be the wrong way round); `swapped` (the labels were exchanged,
 * as the `transcription.autoSwapRoles` setting allows); `unchecked` (a mono call, a chat, or the content did not tell).
 */
export type RoleCheck = 'confirmed' | 'contradicted' | 'swapped' | 'unchecked';

export interface ConversationMetrics {
  talkRatio: PerSpeaker<number>;
  talkSec: PerSpeaker<number>;
  longestMonologueSec: PerSpeaker<number>;
  interruptions: PerSpeaker<number>;
  silenceSec: number;
  managerQuestions: number;
  wordsPerMinute: PerSpeaker<number>;
  /** Set by the analysis; absent from the metrics computed right after transcription. */
  roleCheck?: RoleCheck;
}

export interface AnalysisUsage {
  model: string;
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export interface AnalysisRequest {
  /** Chats use a chat variant of the prompt. */
  kind: 'call' | 'chat';
  /** Chats: one segment per message, `start` = seconds since the chat began. */
  segments: TranscriptSegment[];
  durationSec: number;
  direction?: 'incoming' | 'outgoing' | 'callback' | null;
  managerName?: string | null;
  /** A snapshot of the stored settings. */
  settings: Settings;
}

export interface AnalysisOutcome {
  analysis: CallAnalysis;
  metrics: ConversationMetrics;
  /** 0..100, equal to `analysis.scores.overall`. */
  scoreOverall: number;
  riskLevel: RiskLevel;
  /** The request's segments, with speaker roles assigned when the transcript was mono, or exchanged when swapped. */
  segments: TranscriptSegment[];
  usage: AnalysisUsage;
  promptVersion: string;
  /** A stable hash of the checklist, so re-scoring can tell versions apart. */
  criteriaVersion: string;
}

/** Scores a call or chat transcript with an LLM. The real adapter speaks the OpenAI chat completions API. */
export abstract class CallAnalyzer {
  abstract analyze(request: AnalysisRequest): Promise<AnalysisOutcome>;
}

export type { Speaker, TranscriptSegment };
