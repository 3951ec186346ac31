import { formatCallAlert, formatIntegrationAlert, formatReportMessage, maskPhone } from '../../src/integrations/telegram/messages';
import { escapeAttribute, escapeHtml, link } from '../../src/integrations/telegram/html';
import { localeOf } from '../../src/i18n/locale';
import { RenderableReport } from '../../src/reports/render/report.types';
import { parseTelegramHtml } from '../fakes/telegram';

function plainText(html: string): string {
  const parsed = parseTelegramHtml(html);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.plain;
}

const alert = {
  callId: 42,
  callUrl: 'http://localhost:3000/calls/42',
  score: 38.4,
  riskLevel: 'high' as const,
  managerName: 'Иван Петров',
  clientPhone: '8 (999) 123-45-67',
  reasons: ['Клиент отказался: дорого', 'No next step agreed'],
  summary: 'Client asked for a discount.',
  startedAt: new Date('2026-03-10T21:30:00Z'),
  timeZone: 'Europe/Moscow',
};

describe('Telegram HTML helpers', () => {
  it('escapes text and attribute values', () => {
    expect(escapeHtml('a < b && c > "d"')).toBe('a &lt; b &amp;&amp; c &gt; "d"');
    expect(escapeAttribute('x="1"&y<2')).toBe('x=&quot;1&quot;&amp;y&lt;2');
    expect(link('https://e.example/?q="a"&b', '<go>')).toBe('<a href="https://e.example/?q=&quot;a&quot;&amp;b">&lt;go&gt;</a>');
  });
});

describe('maskPhone', () => {
  it.each([
    ['+7 999 123-45-67', '+7 999 ***-**-67'],
    ['89991234567', '+7 999 ***-**-67'],
    ['+44 20 7946 0958', '+4420******58'],
    ['12345', '***'],
    [null, 'не указан'],
  ])('masks %s as %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });
});

describe('formatCallAlert', () => {
  it('shows the masked phone, the score, the reasons and a link, in Russian and in the report time zone', () => {
    const html = formatCallAlert(alert);
    const text = plainText(html);

    expect(text).toContain('Звонок с высоким риском · звонок #42');
    expect(text).toContain('Менеджер: Иван Петров');
    expect(text).toContain('Клиент: +7 999 ***-**-67');
    expect(text).not.toContain('123-45');
    expect(text).toContain('Начало: 11.03.2026 00:30');
    expect(text).toContain('Оценка: 38/100');
    expect(text).toContain('Почему:\n• Клиент отказался: дорого\n• No next step agreed');
    expect(html).toContain('<a href="http://localhost:3000/calls/42">Открыть звонок</a>');
  });

  it('is written in English when the settings say so, dates included', () => {
    const html = formatCallAlert(alert, localeOf('en'));
    const text = plainText(html);

    expect(text).toContain('High-risk call · call #42');
    expect(text).toContain('Manager: Иван Петров');
    expect(text).toContain('Started: 11 Mar 2026, 00:30');
    expect(text).toContain('Score: 38/100');
    expect(html).toContain('>Open the call</a>');
  });

  it('says so when the call has no score and no manager', () => {
    const text = plainText(formatCallAlert({ ...alert, score: null, managerName: null, reasons: [], summary: null }));

    expect(text).toContain('Оценка: нет оценки');
    expect(text).toContain('Менеджер: не указан');
    expect(text).not.toContain('Почему:');
  });
});

describe('formatIntegrationAlert', () => {
  it('names the integration, the problem and since when', () => {
    const alert = { integration: 'transcription' as const, problem: 'Webhook answers 401 <expired>', since: new Date('2026-03-10T07:00:00Z'), timeZone: 'Europe/Moscow' };

    expect(plainText(formatIntegrationAlert(alert))).toBe('⚠️ Распознавание речи не работает\nWebhook answers 401 <expired>\nС: 10.03.2026 10:00');
    expect(plainText(formatIntegrationAlert(alert, localeOf('en')))).toBe('⚠️ Transcription is not working\nWebhook answers 401 <expired>\nSince: 10 Mar 2026, 10:00');
  });
});

describe('formatReportMessage', () => {
  const report: RenderableReport = {
    title: 'Отчёт по менеджерам',
    subtitle: '1–31 марта 2026',
    language: 'ru',
    generatedAt: new Date('2026-04-01T05:00:00Z'),
    timeZone: 'Europe/Moscow',
    summary: ['Calls: 120', 'High risk: 4 & falling'],
    tables: [
      {
        name: 'Leaderboard',
        columns: [
          { key: 'name', title: 'Менеджер', type: 'string' },
          { key: 'calls', title: 'Calls', type: 'integer' },
          { key: 'share', title: 'Talk', type: 'percent' },
          { key: 'avg', title: 'Avg', type: 'duration' },
        ],
        rows: [
          { name: 'Анна <A>', calls: 1200, share: 0.456, avg: 185 },
          { name: 'Борис', calls: 7, share: null, avg: 3725 },
        ],
      },
      { name: 'Empty', columns: [{ key: 'x', title: 'X', type: 'string' }], rows: [] },
    ],
    charts: [],
  };

  it('renders the heading, the summary and tables as aligned preformatted blocks', () => {
    const text = plainText(formatReportMessage(report));

    expect(text).toContain('Отчёт по менеджерам\n1–31 марта 2026\nСформирован 01.04.2026 08:00 (Europe/Moscow)');
    expect(text).toContain('• High risk: 4 & falling');
    expect(text).toContain([
      'Менеджер  Calls   Talk      Avg',
      '────────  ─────  ─────  ───────',
      'Анна <A>  1 200  45,6%     3:05',
      'Борис         7      —  1:02:05',
    ].join('\n'));
    expect(text).toContain('Empty\nНет данных');
  });

  it('leaves rows past the limit to the files and says how many, in the plural the count takes', () => {
    const text = plainText(formatReportMessage(report, { maxRowsPerTable: 1 }));
    const english = plainText(formatReportMessage({ ...report, language: 'en' }, { maxRowsPerTable: 1 }));

    expect(text).not.toContain('Борис');
    expect(text).toContain('…и ещё 1 строка в файлах PDF и Excel');
    expect(english).toContain('…and 1 more row in the PDF and Excel files');
    expect(english).toContain('Анна <A>  1,200  45.6%');
  });
});
