import { AnalysisRequest } from '../../src/integrations/analysis/call-analyzer.port';
import { TranscriptSegment } from '../../src/integrations/transcription/transcriber.port';
import { defaultSettings } from '../../src/settings/settings.defaults';
import { Settings } from '../../src/settings/settings.types';

export function segment(start: number, end: number, speaker: TranscriptSegment['speaker'], text: string): TranscriptSegment {
  return { start, end, speaker, text };
}

export const SALES_CALL: TranscriptSegment[] = [
  segment(0, 4, 'manager', 'Здравствуйте! Меня зовут Анна, компания «Облако», чем могу помочь?'),
  segment(4.5, 9, 'client', 'Добрый день. Хотим перейти на ваш тариф Бизнес, но дорого.'),
  segment(9.5, 16, 'manager', 'Понимаю. Сколько сотрудников будет работать в системе?'),
  segment(16.5, 20, 'client', 'Человек двадцать, может больше.'),
  segment(20.5, 30, 'manager', 'Тогда тариф Бизнес окупится за два месяца, я пришлю расчёт.'),
  segment(30.5, 34, 'client', 'Хорошо, присылайте, созвонимся в пятницу.'),
];

export function settingsWith(patch: (settings: Settings) => void = () => undefined): Settings {
  const settings = defaultSettings();
  patch(settings);
  return settings;
}

export function callRequest(overrides: Partial<AnalysisRequest> = {}): AnalysisRequest {
  return { kind: 'call', segments: SALES_CALL, durationSec: 35, direction: 'incoming', managerName: 'Анна', settings: settingsWith(), ...overrides };
}
