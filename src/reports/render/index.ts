export * from './report.types';
export { formatCell } from './cell-format';
export { renderChartPng } from './chart-png';
export { renderReportPdf } from './report-pdf';
export { renderReportXlsx } from './report-xlsx';
