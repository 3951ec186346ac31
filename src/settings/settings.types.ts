export type RiskLevel = 'low' | 'medium' | 'high';

export interface ChecklistCriterion {
  /** Stable key stored with every verdict, e.g. `greeting`. */
  id: string;
  title: string;
  /** What the model must look for; part of the prompt. */
  description: string;
  weight: number;
}

export interface RiskThresholds {
  /** A call scoring below this is `high` risk. */
  highBelowScore: number;
  /** A call scoring below this is at least `medium` risk. */
  mediumBelowScore: number;
  /** This many failed checklist criteria make a call at least `medium` risk. */
  mediumFailedCriteria: number;
}

export interface AnalysisSettings {
  model: string;
  language: string;
  checklist: ChecklistCriterion[];
  minCallDurationSec: number;
  riskThresholds: RiskThresholds;
  autoProcess: boolean;
  piiRedaction: boolean;
  /** Monthly LLM spend in USD past which analysis pauses; null means no limit. */
  monthlyBudgetUsd: number | null;
}

export interface SyncSettings {
  enabled: boolean;
  intervalMinutes: number;
  backfillDays: number;
}

export interface Dictionaries {
  products: string[];
  competitors: string[];
  stopPhrases: string[];
  vocabularyHints: string[];
}

export interface AlertSettings {
  enabled: boolean;
  minRiskLevel: RiskLevel;
  maxPerHour: number;
}

export interface ReportSettings {
  dailyDigestEnabled: boolean;
  /** Local time in `timeZone`, HH:MM. */
  dailyDigestTime: string;
  weeklyDigestEnabled: boolean;
  /** ISO weekday, 1 = Monday. */
  weeklyDigestDay: number;
  weeklyDigestTime: string;
}

export interface RetentionSettings {
  /** Days to keep recordings; 0 keeps them forever. */
  recordingsDays: number;
  /** Days to keep transcripts; 0 keeps them forever. Scores are always kept. */
  transcriptsDays: number;
}

export interface CrmSettings {
  writeBack: boolean;
}

/**
 * Which channel of a stereo recording carries the employee: `left` or `right`; `caller_left` puts the party that
 * placed the call on the left (the employee on outgoing calls and callbacks, the client on incoming ones); `mono`
 * recognises the two channels mixed, leaving the roles to the analysis.
 */
export const CHANNEL_MAPPINGS = ['caller_left', 'left', 'right', 'mono'] as const;
export type ChannelMapping = (typeof CHANNEL_MAPPINGS)[number];

export interface TranscriptionSettings {
  /** The mapping for calls of each source, unless the call names its employee channel itself. */
  employeeChannel: { bitrix: ChannelMapping; upload: ChannelMapping; webhook: ChannelMapping };
  /** Exchange the speakers of a call when the analysis reads the roles the other way round. */
  autoSwapRoles: boolean;
}

/** Every stored setting. Secrets never live here: they stay in the environment. */
export interface Settings {
  timeZone: string;
  analysis: AnalysisSettings;
  sync: SyncSettings;
  dictionaries: Dictionaries;
  alerts: AlertSettings;
  reports: ReportSettings;
  retention: RetentionSettings;
  crm: CrmSettings;
  transcription: TranscriptionSettings;
}
