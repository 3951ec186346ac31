import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { SCORE_KEYS } from './call-analyzer.port';

const score = z.number().int().min(1).max(5);
const tone = z.enum(['positive', 'neutral', 'negative']);
const role = z.enum(['manager', 'client']);
const segmentIndex = z.number().int().min(0);

/**
 * The model's answer. Arrays instead of maps, because strict Structured Outputs cannot express free keys;
 * our code turns them into the `sections` and `checklist` the frontend reads.
 */
export const AnalysisAnswerSchema = z.object({
  speakerRoles: z.array(z.object({ segment: segmentIndex, speaker: role })),
  speakerLabels: z.enum(['as_labelled', 'swapped', 'unclear']),
  scores: z.object({
    greeting: score,
    needs: score,
    presentation: score,
    objections: score,
    closing: score,
    tone: score,
  }),
  sections: z.array(z.object({ key: z.enum(SCORE_KEYS), how_it_was: z.string(), how_to_improve: z.string() })),
  checklist: z.array(z.object({ id: z.string(), passed: z.boolean().nullable(), quote: z.string() })),
  sentiment: z.object({ client: tone, manager: tone, overall: z.number().min(-1).max(1) }),
  conflict: z.object({ level: z.enum(['low', 'medium', 'high']), detected: z.boolean(), reasons: z.array(z.string()) }),
  emotions: z.array(
    z.object({
      segment: segmentIndex,
      speaker: role,
      emotion: z.enum(['neutral', 'interest', 'joy', 'doubt', 'confusion', 'anxiety', 'irritation', 'anger']),
    }),
  ),
  recommendations: z.array(z.string()),
  alternative_phrases: z.array(z.string()),
  script_improvements: z.array(z.string()),
  summary: z.string(),
  tags: z.array(z.string()),
  rootCause: z.string().nullable(),
  products: z.array(z.string()),
  refusalReasons: z.array(z.string()),
  nextSteps: z.array(z.string()),
});

export type AnalysisAnswer = z.infer<typeof AnalysisAnswerSchema>;

export const ANALYSIS_RESPONSE_FORMAT = zodResponseFormat(AnalysisAnswerSchema, 'call_analysis');
