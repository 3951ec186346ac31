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
}
