import { computeConversationMetrics } from '../../src/integrations/analysis/conversation-metrics';
import { segment } from './analysis-fixtures';

describe('conversation metrics', () => {
  it('splits talk time, counts silence and questions on a clean dialogue', () => {
    const metrics = computeConversationMetrics([
      segment(0, 6, 'manager', 'Добрый день! Удобно говорить? Как вас зовут?'),
      segment(8, 10, 'client', 'Да, Иван.'),
      segment(12, 20, 'manager', 'Иван, что для вас важнее всего?'),
    ], 25);

    expect(metrics.talkSec).toEqual({ manager: 14, client: 2 });
    expect(metrics.talkRatio).toEqual({ manager: 0.875, client: 0.125 });
    expect(metrics.silenceSec).toBe(9);
    expect(metrics.managerQuestions).toBe(3);
    expect(metrics.interruptions).toEqual({ manager: 0, client: 0 });
    expect(metrics.wordsPerMinute.client).toBe(60);
  });

  it('counts a turn that starts while the other side speaks as an interruption, and no overlap twice', () => {
    const metrics = computeConversationMetrics([
      segment(0, 10, 'manager', 'Наш тариф включает всё'),
      segment(4, 12, 'client', 'Подождите, а цена?'),
      segment(11, 15, 'manager', 'Сейчас скажу'),
      segment(14.9, 16, 'client', 'Угу'),
    ], 16);

    expect(metrics.interruptions).toEqual({ manager: 1, client: 1 });
    expect(metrics.silenceSec).toBe(0);
    expect(metrics.talkSec).toEqual({ manager: 14, client: 9.1 });
  });

  it('keeps a monologue across short pauses and ends it at a long one', () => {
    const metrics = computeConversationMetrics([
      segment(0, 10, 'manager', 'раз'),
      segment(12, 20, 'manager', 'два'),
      segment(30, 35, 'manager', 'три'),
      segment(36, 38, 'client', 'да'),
    ], 40);

    expect(metrics.longestMonologueSec).toEqual({ manager: 20, client: 2 });
  });

  it('works with the manager alone', () => {
    const metrics = computeConversationMetrics([segment(2, 8, 'manager', 'Алло? Вы меня слышите?')], 10);

    expect(metrics.talkRatio).toEqual({ manager: 1, client: 0 });
    expect(metrics.wordsPerMinute).toEqual({ manager: 40, client: 0 });
    expect(metrics.silenceSec).toBe(4);
    expect(metrics.longestMonologueSec.client).toBe(0);
  });

  it('gives zeros for an empty transcript, all of it silence', () => {
    const metrics = computeConversationMetrics([], 30);

    expect(metrics.talkRatio).toEqual({ manager: 0, client: 0 });
    expect(metrics.silenceSec).toBe(30);
    expect(metrics.managerQuestions).toBe(0);
  });

  it('counts unknown speakers as speech but in neither side', () => {
    const metrics = computeConversationMetrics([segment(0, 5, 'unknown', 'алло'), segment(5, 7, 'client', 'да')], 10);

    expect(metrics.silenceSec).toBe(3);
    expect(metrics.talkRatio).toEqual({ manager: 0, client: 1 });
  });
});
