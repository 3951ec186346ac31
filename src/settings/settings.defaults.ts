import { Settings } from './settings.types';

export const DEFAULT_CHECKLIST = [
  { id: 'greeting', title: 'Приветствие', description: 'The manager greets the client and names themself and the company.', weight: 1 },
  { id: 'needs', title: 'Выявление потребностей', description: 'The manager asks open questions to learn what the client needs.', weight: 2 },
  { id: 'presentation', title: 'Презентация', description: 'The manager presents the product in terms of the client needs.', weight: 2 },
  { id: 'objections', title: 'Работа с возражениями', description: 'The manager answers every objection instead of ignoring it.', weight: 2 },
  { id: 'closing', title: 'Следующий шаг', description: 'The call ends with an agreed next step and a date.', weight: 2 },
  { id: 'tone', title: 'Вежливость', description: 'The manager stays polite and does not interrupt the client.', weight: 1 },
];

/** Defaults in code; the environment may override some of them at first start. */
export function defaultSettings(): Settings {
  return {
    timeZone: 'Europe/Moscow',
    analysis: {
      model: 'gpt-4o',
      language: 'ru',
      checklist: DEFAULT_CHECKLIST.map((criterion) => ({ ...criterion })),
      minCallDurationSec: 20,
      riskThresholds: { highBelowScore: 40, mediumBelowScore: 60, mediumFailedCriteria: 2 },
      autoProcess: true,
      piiRedaction: false,
      monthlyBudgetUsd: null,
    },
    sync: { enabled: true, intervalMinutes: 10, backfillDays: 30 },
    dictionaries: { products: [], competitors: [], stopPhrases: [], vocabularyHints: [] },
    alerts: { enabled: true, minRiskLevel: 'high', maxPerHour: 10 },
    reports: {
      dailyDigestEnabled: true,
      dailyDigestTime: '19:00',
      weeklyDigestEnabled: true,
      weeklyDigestDay: 1,
      weeklyDigestTime: '09:00',
    },
    retention: { recordingsDays: 0, transcriptsDays: 0 },
    crm: { writeBack: false },
    // Bitrix24 telephony records the caller on the left; other telephony most often the employee.
    transcription: { employeeChannel: { bitrix: 'caller_left', upload: 'left', webhook: 'left' }, autoSwapRoles: false },
  };
}
