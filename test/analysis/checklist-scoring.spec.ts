import { buildChecklist, checklistPercent, overallScore, riskLevel, scoresPercent } from '../../src/integrations/analysis/checklist-scoring';
import { ChecklistVerdict } from '../../src/integrations/analysis/call-analyzer.port';
import { ChecklistCriterion } from '../../src/settings/settings.types';
import { SALES_CALL } from './analysis-fixtures';

const CRITERIA: ChecklistCriterion[] = [
  { id: 'greeting', title: 'Приветствие', description: '', weight: 1 },
  { id: 'needs', title: 'Потребности', description: '', weight: 3 },
  { id: 'closing', title: 'Следующий шаг', description: '', weight: 2 },
];
const THRESHOLDS = { highBelowScore: 40, mediumBelowScore: 60, mediumFailedCriteria: 2 };
const CALM = { level: 'low' as const, detected: false, reasons: [] };
const FOURS = { greeting: 4, needs: 4, presentation: 4, objections: 4, closing: 4, tone: 4 };

function verdict(passed: boolean | null, weight: number, counted = true): ChecklistVerdict {
  return { id: 'x', title: 'x', passed, quote: '', time: null, weight, quoteVerified: counted, counted };
}

describe('checklist verdicts', () => {
  it('keeps the configured order and finds the time of each verified quote', () => {
    const checklist = buildChecklist(CRITERIA, [
      { id: 'closing', passed: true, quote: 'созвонимся в пятницу' },
      { id: 'greeting', passed: true, quote: 'Меня зовут Анна' },
    ], SALES_CALL);

    expect(checklist.map((item) => [item.id, item.passed, item.time, item.counted])).toEqual([
      ['greeting', true, 0, true],
      ['needs', null, null, false],
      ['closing', true, 30.5, true],
    ]);
  });

  it('counts a failure without a quote, but not a verdict resting on an invented quote', () => {
    const checklist = buildChecklist(CRITERIA, [
      { id: 'greeting', passed: false, quote: '' },
      { id: 'needs', passed: true, quote: 'Какой у вас бюджет на внедрение?' },
      { id: 'closing', passed: false, quote: 'Я вам больше не позвоню' },
    ], SALES_CALL);

    expect(checklist.map((item) => [item.quoteVerified, item.counted])).toEqual([[false, true], [false, false], [false, false]]);
  });
});

describe('checklist percentage', () => {
  it('weighs passed verdicts by their weight', () => {
    expect(checklistPercent([verdict(true, 1), verdict(false, 3), verdict(true, 2)])).toBe(50);
  });

  it('leaves out not-applicable and uncounted verdicts', () => {
    expect(checklistPercent([verdict(true, 1), verdict(null, 3, false), verdict(false, 2, false)])).toBe(100);
  });

  it('is null when no verdict counts, and the overall score falls back to the six scores', () => {
    const checklist = [verdict(null, 1, false), verdict(true, 2, false)];
    expect(checklistPercent(checklist)).toBeNull();
    expect(overallScore(checklist, FOURS)).toBe(75);
  });

  it('maps the six scores from 1..5 onto 0..100', () => {
    expect(scoresPercent({ greeting: 1, needs: 1, presentation: 1, objections: 1, closing: 1, tone: 1 })).toBe(0);
    expect(scoresPercent({ greeting: 5, needs: 5, presentation: 5, objections: 5, closing: 5, tone: 5 })).toBe(100);
    expect(scoresPercent({ greeting: 3, needs: 4, presentation: 2, objections: 3, closing: 5, tone: 1 })).toBe(50);
  });
});

describe('risk level', () => {
  it('is high below the high threshold or on a high conflict', () => {
    expect(riskLevel(39, CALM, 0, THRESHOLDS)).toBe('high');
    expect(riskLevel(95, { level: 'high', detected: true, reasons: ['угрозы'] }, 0, THRESHOLDS)).toBe('high');
  });

  it('is medium below the medium threshold, with enough failed criteria, or on any conflict', () => {
    expect(riskLevel(59, CALM, 0, THRESHOLDS)).toBe('medium');
    expect(riskLevel(90, CALM, 2, THRESHOLDS)).toBe('medium');
    expect(riskLevel(90, { level: 'low', detected: true, reasons: ['жалоба'] }, 0, THRESHOLDS)).toBe('medium');
  });

  it('is low otherwise, and follows the configured thresholds', () => {
    expect(riskLevel(60, CALM, 1, THRESHOLDS)).toBe('low');
    expect(riskLevel(60, CALM, 1, { ...THRESHOLDS, highBelowScore: 70 })).toBe('high');
  });
});
