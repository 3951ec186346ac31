import type { CallAnalysis, ScoreKey } from '../integrations/analysis/call-analyzer.port';
import type { TranscriptSegment } from '../integrations/transcription/transcriber.port';

/** A deterministic pseudo-random sequence, so every demo seed gives the same data. */
export function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

export const DEMO_DEPARTMENTS = ['Отдел продаж (демо)', 'Отдел по работе с ключевыми клиентами (демо)', 'Поддержка (демо)'];
export const DEMO_EMPLOYEES = [
  ['Анна Смирнова (демо)', 0, 'Старший менеджер'],
  ['Иван Петров (демо)', 0, 'Менеджер по продажам'],
  ['Мария Кузнецова (демо)', 0, 'Менеджер по продажам'],
  ['Олег Соколов (демо)', 1, 'Менеджер по ключевым клиентам'],
  ['Елена Волкова (демо)', 1, 'Руководитель направления'],
  ['Дмитрий Новиков (демо)', 2, 'Специалист поддержки'],
] as const;

const PRODUCTS = ['CRM Старт', 'CRM Бизнес', 'Телефония', 'Интеграция с 1С'];
const REFUSALS = ['Дорого', 'Выбрали конкурента', 'Нет бюджета в этом квартале'];

const GOOD_DIALOGUE: [TranscriptSegment['speaker'], string][] = [
  ['manager', 'Здравствуйте! Компания «Альфа», меня зовут {manager}. Удобно говорить?'],
  ['client', 'Да, здравствуйте, удобно.'],
  ['manager', 'Расскажите, пожалуйста, сколько менеджеров у вас работает со звонками и что сейчас неудобно?'],
  ['client', 'Двенадцать человек, и мы не понимаем, кто как разговаривает с клиентами.'],
  ['manager', 'Понимаю. {product} как раз записывает и оценивает каждый звонок, руководитель видит рейтинг.'],
  ['client', 'А сколько это стоит? Нам кажется, что дорого.'],
  ['manager', 'Давайте посчитаем на ваши двенадцать мест: при годовой оплате выходит дешевле на двадцать процентов.'],
  ['client', 'Звучит интересно, пришлите предложение.'],
  ['manager', 'Отправлю сегодня до шести вечера и позвоню в четверг в одиннадцать, хорошо?'],
  ['client', 'Договорились, до свидания.'],
];

const BAD_DIALOGUE: [TranscriptSegment['speaker'], string][] = [
  ['manager', 'Алло, слушаю.'],
  ['client', 'Я третий раз звоню, мне так никто и не перезвонил!'],
  ['manager', 'Ну я не знаю, это не ко мне.'],
  ['client', 'Вы издеваетесь? Я хочу расторгнуть договор.'],
  ['manager', 'Пишите заявление, что я могу сделать.'],
  ['client', 'Прекрасно. Больше к вам не обращусь.'],
];

export function demoTranscript(good: boolean, manager: string, product: string): TranscriptSegment[] {
  let time = 0;
  return (good ? GOOD_DIALOGUE : BAD_DIALOGUE).map(([speaker, template]) => {
    const text = template.replace('{manager}', manager.replace(' (демо)', '')).replace('{product}', product);
    const start = time;
    time += 2 + text.length / 14;
    return { start: Math.round(start * 10) / 10, end: Math.round(time * 10) / 10, speaker, text };
  });
}

const KEYS: ScoreKey[] = ['greeting', 'needs', 'presentation', 'objections', 'closing', 'tone'];

/** An analysis in the shape the pipeline stores, written by hand for the demo. */
export function demoAnalysis(good: boolean, segments: TranscriptSegment[], product: string, random: () => number): Omit<CallAnalysis, 'meta'> & { meta: Record<string, unknown> } {
  const score = (base: number) => Math.max(1, Math.min(5, Math.round(base + random() * 1.4 - 0.7)));
  const scores = Object.fromEntries(KEYS.map((key) => [key, score(good ? 4.2 : 1.8)])) as Record<ScoreKey, number>;
  const overall = Math.round(((KEYS.reduce((sum, key) => sum + scores[key], 0) / KEYS.length - 1) / 4) * 100);
  const quote = (index: number) => ({ quote: segments[index]?.text ?? '', time: segments[index]?.start ?? null });
  return {
    scores: { ...scores, overall },
    sections: Object.fromEntries(
      KEYS.map((key) => [key, good
        ? { how_it_was: 'Этап пройден уверенно.', how_to_improve: 'Закрепить результат конкретной договорённостью.' }
        : { how_it_was: 'Этап пропущен или проведён грубо.', how_to_improve: 'Извиниться, выяснить суть проблемы и назначить срок решения.' }]),
    ) as CallAnalysis['sections'],
    sentiment: good ? { client: 'positive', manager: 'positive', overall: 0.6 } : { client: 'negative', manager: 'negative', overall: -0.7 },
    conflict: good ? { level: 'low', detected: false, reasons: [] } : { level: 'high', detected: true, reasons: ['Клиент угрожает расторгнуть договор', 'Менеджер отказался помочь'] },
    recommendations: good ? ['Чаще подтверждать бюджет клиента'] : ['Не перекладывать ответственность на клиента', 'Предложить конкретный срок решения'],
    alternative_phrases: good ? ['«Какой бюджет вы закладываете на это решение?»'] : ['«Понимаю ваше недовольство, давайте я сам прослежу за решением»'],
    script_improvements: ['Добавить вопрос о сроках принятия решения'],
    summary: good ? `Клиент заинтересовался продуктом «${product}», договорились о коммерческом предложении и повторном звонке.` : 'Клиент недоволен отсутствием обратной связи и грозит расторгнуть договор.',
    checklist: [
      { id: 'greeting', title: 'Приветствие', passed: good, ...quote(0), weight: 1, quoteVerified: true, counted: true },
      { id: 'needs', title: 'Выявление потребностей', passed: good, ...quote(good ? 2 : 2), weight: 2, quoteVerified: true, counted: true },
      { id: 'closing', title: 'Следующий шаг', passed: good, ...quote(good ? 8 : 4), weight: 2, quoteVerified: true, counted: true },
    ],
    checklistPercent: good ? 100 : 0,
    emotions: segments.map((segment) => ({ time: segment.start, speaker: segment.speaker === 'client' ? 'client' : 'manager', emotion: good ? 'interest' : 'irritation' })),
    tags: good ? ['коммерческое предложение'] : ['жалоба', 'риск ухода'],
    rootCause: good ? null : 'Не было обратного звонка после первого обращения',
    products: good ? [product] : [],
    productMentions: good ? [{ name: product, count: 1 }] : [],
    competitorMentions: [],
    refusalReasons: good ? [] : [REFUSALS[Math.floor(random() * REFUSALS.length)]],
    nextSteps: good ? ['Отправить КП сегодня', 'Позвонить в четверг в 11:00'] : [],
    speakerRoles: [],
    meta: { model: 'demo', promptVersion: 'demo', criteriaVersion: 'demo', promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0, costUsd: 0, costKnown: true, piiRedacted: false, unverifiedQuotes: 0, demo: true },
  };
}

export function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)];
}

export { PRODUCTS };
