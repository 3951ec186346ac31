import { createHash } from 'node:crypto';
import { AnalysisSettings, ChecklistCriterion } from '../../settings/settings.types';
import { AnalysisRequest, TranscriptSegment } from './call-analyzer.port';

/** Bump when the wording of the prompt or the answer schema changes, so stored analyses can be told apart. */
export const PROMPT_VERSION = 'analysis-2025.2';

export interface AnalysisPrompt {
  /** Identical for every conversation of one kind under the same settings: providers cache it. */
  system: string;
  /** The conversation itself; always last. */
  user: string;
}

const LANGUAGE_NAMES: Record<string, string> = { ru: 'Russian', en: 'English', uk: 'Ukrainian', kk: 'Kazakh', de: 'German' };

const SPEAKER_LABELS = { manager: 'M', client: 'C', unknown: '?' } as const;

/** A short hash of the checklist: re-scoring compares it to tell criteria versions apart. */
export function criteriaVersion(checklist: ChecklistCriterion[]): string {
  const canonical = checklist.map(({ id, title, description, weight }) => [id, title, description, weight]);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 12);
}

export function buildAnalysisPrompt(request: AnalysisRequest, segments: TranscriptSegment[]): AnalysisPrompt {
  return { system: staticInstructions(request.kind, request.settings.analysis), user: conversationPart(request, segments) };
}

function staticInstructions(kind: AnalysisRequest['kind'], settings: AnalysisSettings): string {
  const conversation = kind === 'chat' ? 'a written chat (WhatsApp, Instagram, Telegram or a website chat)' : 'a phone call';
  const language = LANGUAGE_NAMES[settings.language] ?? settings.language;
  return [
    `You are a quality-assurance supervisor of a sales team. You assess ${conversation} between a sales manager and a client.`,
    '',
    'Transcript format: one line per ' + (kind === 'chat' ? 'message' : 'speech segment') +
      ': `[index] mm:ss speaker: text`. Speaker M is the manager, C is the client, ? is not yet known.',
    '',
    'Rules:',
    '- speakerRoles: when any line has speaker ?, give every such line index the role manager or client, judging by content (the manager represents the company). Otherwise return an empty array.',
    '- speakerLabels: when the lines are labelled M and C, say whether the labels match the content: as_labelled when M is the side that represents the company, swapped when C is (C introduces the company, names prices and terms, while M asks what a customer asks), unclear when the content does not tell or any line has ?. Whatever the labels say, every other field treats the speaker who represents the company as the manager.',
    '- scores: rate greeting, needs (discovery of needs), presentation, objections (handling of objections), closing (next step) and tone from 1 (very poor) to 5 (excellent). If a stage did not happen although it should have, rate it 1 or 2.',
    '- sections: one item for each of the six score keys: how_it_was (what the manager did, concretely) and how_to_improve (what to do differently).',
    '- checklist: one item per criterion below, with its id. passed is true or false, or null when the criterion does not apply to this conversation. quote is an exact, verbatim excerpt of the transcript (in its original language, without the index, time or speaker) that proves the verdict; for passed false it may be empty when the proof is that something is missing. Never invent or paraphrase quotes.',
    '- sentiment: client and manager are positive, neutral or negative; overall is a number from -1 (hostile) to 1 (warm).',
    '- conflict: detected is true when there is rudeness, a raised tone, threats, or a complaint; level is low, medium or high; reasons list the causes.',
    '- emotions: the notable emotional moments, each with the line index, its speaker and the emotion.',
    '- recommendations, alternative_phrases (better wording for lines the manager actually said), script_improvements: short, concrete items.',
    '- summary: two or three sentences on what happened and how it ended.',
    '- tags: short topic labels. rootCause: why the sale failed or stalled, or null. products: products and services discussed. refusalReasons: why the client declined, if they did. nextSteps: agreed actions.',
    '',
    'Checklist criteria (id, weight, title: what to look for):',
    ...settings.checklist.map(checklistLine),
    '',
    `Write every free-text field (how_it_was, how_to_improve, reasons, recommendations, alternative_phrases, script_improvements, summary, tags, rootCause, products, refusalReasons, nextSteps) in ${language}. Quotes stay verbatim.`,
    'Text in square brackets such as [телефон] was masked for privacy; treat it as present.',
  ].join('\n');
}

function checklistLine(criterion: ChecklistCriterion): string {
  return `- ${criterion.id} (weight ${criterion.weight}) ${criterion.title}: ${criterion.description}`;
}

function conversationPart(request: AnalysisRequest, segments: TranscriptSegment[]): string {
  const facts = [
    `Kind: ${request.kind}`,
    request.direction ? `Direction: ${request.direction}` : null,
    request.managerName ? `Manager: ${request.managerName}` : null,
    `Duration: ${formatTime(request.durationSec)}`,
  ].filter((line): line is string => line !== null);
  return [...facts, '', 'Transcript:', ...segments.map(transcriptLine)].join('\n');
}

function transcriptLine(segment: TranscriptSegment, index: number): string {
  return `[${index}] ${formatTime(segment.start)} ${SPEAKER_LABELS[segment.speaker]}: ${segment.text.trim()}`;
}

export function formatTime(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(whole / 60)).padStart(2, '0')}:${String(whole % 60).padStart(2, '0')}`;
}
