import { AnalysisAnswer } from './analysis-answer.schema';
import { criteriaVersion, PROMPT_VERSION } from './analysis-prompt';
import { AnalysisOutcome, AnalysisRequest, CallAnalysis, RoleCheck, SCORE_KEYS, TranscriptSegment } from './call-analyzer.port';
import { buildChecklist, checklistPercent, failedCriteria, overallScore, riskLevel } from './checklist-scoring';
import { computeConversationMetrics } from './conversation-metrics';
import { countMentions, mergeProducts } from './dictionary-mentions';
import { costOf, TokenUsage } from './model-pricing';
import { redactSegments } from './pii-redaction';

/** The transcript exactly as the model sees it; quotes are verified against the same text. */
export function segmentsForModel(request: AnalysisRequest): TranscriptSegment[] {
  return request.settings.analysis.piiRedaction ? redactSegments(request.segments) : request.segments;
}

/** Turns the model's validated answer into what we store and serve; everything but the answer is computed here. */
export function assembleOutcome(request: AnalysisRequest, answer: AnalysisAnswer, model: string, tokens: TokenUsage): AnalysisOutcome {
  const settings = request.settings;
  const roleCheck = checkRoles(request, answer.speakerLabels);
  const segments = roleCheck === 'swapped' ? swapSpeakers(request.segments) : assignSpeakerRoles(request.segments, answer.speakerRoles);
  const sentSegments = segmentsForModel(request);
  const checklist = buildChecklist(settings.analysis.checklist, answer.checklist, sentSegments);
  const scoreOverall = overallScore(checklist, answer.scores);
  const productMentions = countMentions(settings.dictionaries.products, request.segments);
  const cost = costOf(model, tokens);
  const version = criteriaVersion(settings.analysis.checklist);
  const analysis: CallAnalysis = {
    scores: { ...answer.scores, overall: scoreOverall },
    sections: sectionsByKey(answer.sections),
    sentiment: answer.sentiment,
    conflict: answer.conflict,
    recommendations: answer.recommendations,
    alternative_phrases: answer.alternative_phrases,
    script_improvements: answer.script_improvements,
    summary: answer.summary,
    checklist,
    checklistPercent: checklistPercent(checklist),
    emotions: emotionTimeline(answer.emotions, segments),
    tags: answer.tags,
    rootCause: answer.rootCause,
    products: mergeProducts(productMentions, answer.products),
    productMentions,
    competitorMentions: countMentions(settings.dictionaries.competitors, request.segments),
    refusalReasons: answer.refusalReasons,
    nextSteps: answer.nextSteps,
    speakerRoles: answer.speakerRoles.filter((role) => role.segment < segments.length),
    meta: {
      model,
      promptVersion: PROMPT_VERSION,
      criteriaVersion: version,
      ...tokens,
      costUsd: cost.costUsd,
      costKnown: cost.known,
      piiRedacted: settings.analysis.piiRedaction,
      unverifiedQuotes: checklist.filter((verdict) => verdict.quote !== '' && !verdict.quoteVerified).length,
    },
  };
  return {
    analysis,
    metrics: { ...computeConversationMetrics(segments, request.durationSec), roleCheck },
    scoreOverall,
    riskLevel: riskLevel(scoreOverall, answer.conflict, failedCriteria(checklist), settings.analysis.riskThresholds),
    segments,
    usage: { model, ...tokens, costUsd: cost.costUsd },
    promptVersion: PROMPT_VERSION,
    criteriaVersion: version,
  };
}

/** Mono transcripts come with speaker `unknown`; the model's roles fill them in, known speakers stay as recorded. */
export function assignSpeakerRoles(segments: TranscriptSegment[], roles: AnalysisAnswer['speakerRoles']): TranscriptSegment[] {
  const roleOf = new Map(roles.map((role) => [role.segment, role.speaker]));
  return segments.map((segment, index) =>
    segment.speaker === 'unknown' && roleOf.has(index) ? { ...segment, speaker: roleOf.get(index)! } : segment,
  );
}

/** The model's reading of who represents the company, against the labels that the channel mapping gave a call. */
export function checkRoles(request: AnalysisRequest, verdict: AnalysisAnswer['speakerLabels']): RoleCheck {
  const sides = new Set(request.segments.map((segment) => segment.speaker));
  if (request.kind !== 'call' || !sides.has('manager') || !sides.has('client') || verdict === 'unclear') return 'unchecked';
  if (verdict === 'as_labelled') return 'confirmed';
  return request.settings.transcription.autoSwapRoles ? 'swapped' : 'contradicted';
}

export function swapSpeakers(segments: TranscriptSegment[]): TranscriptSegment[] {
  const other = { manager: 'client', client: 'manager', unknown: 'unknown' } as const;
  return segments.map((segment) => ({ ...segment, speaker: other[segment.speaker] }));
}

function sectionsByKey(sections: AnalysisAnswer['sections']): CallAnalysis['sections'] {
  const empty = { how_it_was: '', how_to_improve: '' };
  const entries = SCORE_KEYS.map((key) => {
    const section = sections.find((item) => item.key === key);
    return [key, section ? { how_it_was: section.how_it_was, how_to_improve: section.how_to_improve } : empty];
  });
  return Object.fromEntries(entries) as CallAnalysis['sections'];
}

function emotionTimeline(emotions: AnalysisAnswer['emotions'], segments: TranscriptSegment[]): CallAnalysis['emotions'] {
  return emotions
    .filter((emotion) => emotion.segment < segments.length)
    .map((emotion) => ({ time: segments[emotion.segment].start, speaker: emotion.speaker, emotion: emotion.emotion }))
    .sort((a, b) => a.time - b.time);
}
