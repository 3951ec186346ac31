import type { Language } from '../../i18n/language';
import { localeOf } from '../../i18n/locale';
import { bold, escapeHtml } from '../../integrations/telegram/html';
import { renderChartPng } from './chart-png';
import type { RenderableReport, ReportChart } from './report.types';

/** The picture that goes before a report's text in Telegram, kept with a queued message so a retry sends it too. */
export interface ChartPhoto {
  chart: ReportChart;
  language: Language;
  captionHtml: string;
}

/** The report's first chart with a caption, unless it has none or the chart is empty. */
export function chartPhotoOf(report: RenderableReport): ChartPhoto | undefined {
  const [chart] = report.charts;
  if (!chart || chart.labels.length === 0) return undefined;
  return { chart, language: report.language, captionHtml: `${bold(chart.title)} · ${escapeHtml(report.title)}` };
}

export function chartPhotoPng(photo: ChartPhoto): Buffer {
  return renderChartPng(photo.chart, undefined, { locale: localeOf(photo.language) });
}
