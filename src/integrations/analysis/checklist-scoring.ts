import { ChecklistCriterion, RiskLevel, RiskThresholds } from '../../settings/settings.types';
import { AnalysisAnswer } from './analysis-answer.schema';
import { CallAnalysis, ChecklistVerdict, SCORE_KEYS, TranscriptSegment } from './call-analyzer.port';
import { locateQuote } from './quote-verification';

/**
 * One verdict per configured criterion, in the configured order. A quote is trusted only when found in the
 * transcript; a verdict resting on an invented quote, or missing from the answer, does not count.
 */
export function buildChecklist(
  criteria: ChecklistCriterion[],
  answered: AnalysisAnswer['checklist'],
  segments: TranscriptSegment[],
): ChecklistVerdict[] {
  return criteria.map((criterion) => {
    const answer = answered.find((item) => item.id === criterion.id);
    const quote = answer?.quote.trim() ?? '';
    const location = quote ? locateQuote(quote, segments) : null;
    const passed = answer ? answer.passed : null;
    const quoteVerified = location !== null;
    const counted = passed === true ? quoteVerified : passed === false ? quote === '' || quoteVerified : false;
    return { id: criterion.id, title: criterion.title, passed, quote, time: location?.time ?? null, weight: criterion.weight, quoteVerified, counted };
  });
}

/** Weighted share of passed verdicts among counted ones, 0..100; null when nothing counts. */
export function checklistPercent(checklist: ChecklistVerdict[]): number | null {
  const counted = checklist.filter((verdict) => verdict.counted && verdict.weight > 0);
  const total = counted.reduce((sum, verdict) => sum + verdict.weight, 0);
  if (total === 0) return null;
  const passed = counted.filter((verdict) => verdict.passed === true).reduce((sum, verdict) => sum + verdict.weight, 0);
  return Math.round((passed / total) * 100);
}

/** The six 1–5 scores averaged and mapped onto 0..100. */
export function scoresPercent(scores: AnalysisAnswer['scores']): number {
  const mean = SCORE_KEYS.reduce((sum, key) => sum + scores[key], 0) / SCORE_KEYS.length;
  return Math.round(((mean - 1) / 4) * 100);
}

export function overallScore(checklist: ChecklistVerdict[], scores: AnalysisAnswer['scores']): number {
  return checklistPercent(checklist) ?? scoresPercent(scores);
}

export function failedCriteria(checklist: ChecklistVerdict[]): number {
  return checklist.filter((verdict) => verdict.counted && verdict.passed === false).length;
}

export function riskLevel(
  scoreOverall: number,
  conflict: CallAnalysis['conflict'],
  failed: number,
  thresholds: RiskThresholds,
): RiskLevel {
  if (scoreOverall < thresholds.highBelowScore || (conflict.detected && conflict.level === 'high')) return 'high';
  const medium =
    scoreOverall < thresholds.mediumBelowScore || failed >= thresholds.mediumFailedCriteria || conflict.detected;
  return medium ? 'medium' : 'low';
}
