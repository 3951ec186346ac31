import { renderChartPng } from '../../src/reports/render/chart-png';
import { renderReportPdf } from '../../src/reports/render/report-pdf';
import { localeOf } from '../../src/i18n/locale';
import { Report } from '../../src/reports/report.entity';
import { renderableOf, ReportsService } from '../../src/reports/reports.service';
import { seedDemo } from '../../src/seed/seed-demo';
import { SettingsService } from '../../src/settings/settings.service';
import { chartTextProblems, inkedDepth, layoutRecorder, overflowingWords, pdfWords } from '../support/layout-check';
import { startTestApp, TestApp } from '../support/app';

const NOW = new Date('2026-03-31T15:00:00Z');
const QUARTER = { from: '2026-01-01', to: '2026-03-31' };
const CHART_SIZE = { width: 1000, height: 560 };

/**
 * Every report type on the demo data, rendered to PDF and read back by poppler: no word may leave the box it was
 * laid out in, the first page must hold more than a heading, and no chart label may leave its place or overlap another.
 */
describe('report layout as a reader sees it', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await seedDemo(t.dataSource, { now: NOW });
  }, 120_000);
  afterAll(() => t.close());

  async function check(type: string, body: Record<string, unknown>) {
    const generated = await t.app.get(ReportsService).generate(type, { ...body, send: false } as never, NOW);
    const report = renderableOf(await t.dataSource.getRepository(Report).findOneByOrFail({ id: generated.id }));
    const layout = layoutRecorder();
    const pdf = await renderReportPdf(report, { layout });

    expect(overflowingWords(await pdfWords(pdf), layout.entries)).toEqual([]);
    expect(await inkedDepth(pdf)).toBeGreaterThan(0.6);
    for (const chart of report.charts) {
      const drawn = layoutRecorder();
      renderChartPng(chart, CHART_SIZE, { layout: drawn, locale: localeOf(report.language) });
      expect(drawn.entries.length).toBeGreaterThan(chart.labels.length > 0 ? 5 : 1);
      expect(chartTextProblems(drawn.entries, CHART_SIZE)).toEqual([]);
    }
  }

  it.each([
    ['employees', QUARTER],
    ['problematic-calls', QUARTER],
    ['trends', QUARTER],
    ['trends', { from: '2026-03-01', to: '2026-03-31' }],
    ['trends', { from: '2025-04-01', to: '2026-03-31' }],
    ['digest', { from: '2026-03-23', to: '2026-03-29' }],
  ])('%s %j', async (type, period) => {
    await check(type, period);
  });

  it('holds in English too', async () => {
    await t.app.get(SettingsService).update({ analysis: { language: 'en' } }, 'test');
    try {
      for (const type of ['employees', 'problematic-calls', 'trends', 'digest']) await check(type, QUARTER);
    } finally {
      await t.app.get(SettingsService).update({ analysis: { language: 'ru' } }, 'test');
    }
  }, 120_000);
});
