import { RenderableReport } from '../../src/reports/render/report.types';

export const MANAGERS = ['Анна Смирнова', 'Борис Кузнецов', 'Виктория Ёлкина', 'Григорий Щукин'];

/** A leaderboard-like report; `extraRows` makes the calls table long enough for page breaks. */
export function sampleReport(extraRows = 0): RenderableReport {
  return {
    title: 'Отчёт по менеджерам',
    subtitle: 'Март 2026',
    language: 'ru',
    generatedAt: new Date('2026-04-01T05:00:00Z'),
    timeZone: 'Europe/Moscow',
    summary: ['Всего звонков: 120', 'Средний балл: 71,5', 'High-risk calls: 4'],
    tables: [
      {
        name: 'Менеджеры',
        columns: [
          { key: 'name', title: 'Менеджер', type: 'string' },
          { key: 'calls', title: 'Звонки', type: 'integer' },
          { key: 'avgScore', title: 'Средний балл', type: 'number' },
          { key: 'talkRatio', title: 'Доля речи', type: 'percent' },
          { key: 'avgDuration', title: 'Длительность', type: 'duration' },
          { key: 'lastCallAt', title: 'Последний звонок', type: 'date' },
        ],
        rows: MANAGERS.map((name, index) => ({
          name,
          calls: 30 + index,
          avgScore: 70.25 + index,
          talkRatio: 0.45 + index / 100,
          avgDuration: 185 + index * 60,
          lastCallAt: new Date(Date.UTC(2026, 2, 31, 21, 15 + index)),
        })),
      },
      {
        name: 'Звонки по дням',
        columns: [
          { key: 'date', title: 'Дата', type: 'date' },
          { key: 'calls', title: 'Звонки', type: 'integer' },
          { key: 'note', title: 'Комментарий', type: 'string' },
        ],
        rows: Array.from({ length: 5 + extraRows }, (_, index) => ({
          date: `2026-03-${String((index % 31) + 1).padStart(2, '0')}`,
          calls: index,
          note: index === 0 ? null : `Строка ${index}`,
        })),
      },
    ],
    charts: [
      { title: 'Средний балл', kind: 'bar', labels: MANAGERS, series: [{ name: 'Балл', values: [70, 71, 72, 73] }] },
    ],
  };
}
