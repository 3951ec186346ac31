import { createCanvas, GlobalFonts, SKRSContext2D } from '@napi-rs/canvas';
import { REPORT_FONTS } from './fonts';
import { ReportChart } from './report.types';

export interface ChartSize {
  width: number;
  height: number;
}

interface Plot {
  left: number;
  top: number;
  width: number;
  height: number;
  min: number;
  max: number;
}

const PALETTE = ['#2563eb', '#f97316', '#16a34a', '#dc2626', '#9333ea', '#0891b2', '#ca8a04', '#db2777'];
const FONT = REPORT_FONTS.family;
const TEXT_COLOR = '#1f2937';
const GRID_COLOR = '#e5e7eb';

let fontsRegistered = false;

export function renderChartPng(chart: ReportChart, size: ChartSize = { width: 1000, height: 560 }): Buffer {
  registerFonts();
  const canvas = createCanvas(size.width, size.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, size.width, size.height);
  drawTitle(ctx, chart.title, size.width);
  const legendBottom = drawLegend(ctx, chart, size.width);
  const values = chart.series.flatMap((series) => series.values).filter(Number.isFinite);
  if (chart.labels.length === 0 || values.length === 0) {
    drawCentered(ctx, 'No data', size.width / 2, size.height / 2, 20);
    return canvas.toBuffer('image/png');
  }
  const plot = plotArea(size, legendBottom, values);
  drawYAxis(ctx, plot);
  drawXLabels(ctx, plot, chart.labels);
  if (chart.kind === 'bar') drawBars(ctx, plot, chart);
  else drawLines(ctx, plot, chart);
  return canvas.toBuffer('image/png');
}

function registerFonts(): void {
  if (fontsRegistered) return;
  GlobalFonts.registerFromPath(REPORT_FONTS.regular, FONT);
  GlobalFonts.registerFromPath(REPORT_FONTS.bold, FONT);
  fontsRegistered = true;
}

function drawTitle(ctx: SKRSContext2D, title: string, width: number): void {
  ctx.font = `bold 22px "${FONT}"`;
  ctx.fillStyle = TEXT_COLOR;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.fillText(title, width / 2, 16, width - 40);
}

/** Legend entries in rows under the title; returns where the plot may start. */
function drawLegend(ctx: SKRSContext2D, chart: ReportChart, width: number): number {
  ctx.font = `14px "${FONT}"`;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  let x = 60;
  let y = 62;
  chart.series.forEach((series, index) => {
    const entryWidth = 24 + ctx.measureText(series.name).width + 24;
    if (x + entryWidth > width - 20 && x > 60) {
      x = 60;
      y += 22;
    }
    ctx.fillStyle = PALETTE[index % PALETTE.length];
    ctx.fillRect(x, y - 6, 16, 12);
    ctx.fillStyle = TEXT_COLOR;
    ctx.fillText(series.name, x + 22, y);
    x += entryWidth;
  });
  return y + 18;
}

function plotArea(size: ChartSize, top: number, values: number[]): Plot {
  const [min, max] = niceRange(Math.min(0, ...values), Math.max(0, ...values));
  const left = 80;
  return { left, top: top + 10, width: size.width - left - 30, height: size.height - top - 10 - 90, min, max };
}

function drawYAxis(ctx: SKRSContext2D, plot: Plot): void {
  const steps = 5;
  ctx.font = `13px "${FONT}"`;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (let step = 0; step <= steps; step++) {
    const value = plot.min + ((plot.max - plot.min) * step) / steps;
    const y = yOf(plot, value);
    ctx.strokeStyle = value === 0 ? '#9ca3af' : GRID_COLOR;
    ctx.lineWidth = 1;
    line(ctx, plot.left, y, plot.left + plot.width, y);
    ctx.fillStyle = TEXT_COLOR;
    ctx.fillText(formatTick(value), plot.left - 8, y);
  }
  ctx.strokeStyle = '#9ca3af';
  line(ctx, plot.left, plot.top, plot.left, plot.top + plot.height);
}

/** Labels are thinned out and slanted when they would overlap. */
function drawXLabels(ctx: SKRSContext2D, plot: Plot, labels: string[]): void {
  ctx.font = `12px "${FONT}"`;
  ctx.fillStyle = TEXT_COLOR;
  const slot = plot.width / labels.length;
  const widest = Math.max(...labels.map((label) => ctx.measureText(label).width));
  const slanted = widest > slot - 4;
  const every = slanted ? Math.max(1, Math.ceil(labels.length / Math.floor(plot.width / 18))) : 1;
  labels.forEach((label, index) => {
    if (index % every !== 0) return;
    const x = plot.left + slot * (index + 0.5);
    const y = plot.top + plot.height + 8;
    ctx.save();
    ctx.translate(x, y);
    if (slanted) ctx.rotate(-Math.PI / 5);
    ctx.textAlign = slanted ? 'right' : 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(shorten(label, slanted ? 18 : 30), 0, 0);
    ctx.restore();
  });
}

function drawBars(ctx: SKRSContext2D, plot: Plot, chart: ReportChart): void {
  const slot = plot.width / chart.labels.length;
  const barWidth = (slot * 0.8) / chart.series.length;
  const zeroY = yOf(plot, 0);
  chart.series.forEach((series, seriesIndex) => {
    ctx.fillStyle = PALETTE[seriesIndex % PALETTE.length];
    chart.labels.forEach((_, index) => {
      const value = series.values[index];
      if (!Number.isFinite(value)) return;
      const x = plot.left + slot * index + slot * 0.1 + barWidth * seriesIndex;
      const y = yOf(plot, value);
      ctx.fillRect(x, Math.min(y, zeroY), Math.max(barWidth - 1, 1), Math.abs(zeroY - y));
    });
  });
}

function drawLines(ctx: SKRSContext2D, plot: Plot, chart: ReportChart): void {
  const slot = plot.width / chart.labels.length;
  chart.series.forEach((series, seriesIndex) => {
    const color = PALETTE[seriesIndex % PALETTE.length];
    const points = chart.labels
      .map((_, index) => ({ x: plot.left + slot * (index + 0.5), value: series.values[index] }))
      .filter((point) => Number.isFinite(point.value))
      .map((point) => ({ x: point.x, y: yOf(plot, point.value) }));
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 3;
    ctx.beginPath();
    points.forEach((point, index) => (index === 0 ? ctx.moveTo(point.x, point.y) : ctx.lineTo(point.x, point.y)));
    ctx.stroke();
    for (const point of points) {
      ctx.beginPath();
      ctx.arc(point.x, point.y, 4, 0, Math.PI * 2);
      ctx.fill();
    }
  });
}

function drawCentered(ctx: SKRSContext2D, text: string, x: number, y: number, fontSize: number): void {
  ctx.font = `${fontSize}px "${FONT}"`;
  ctx.fillStyle = '#6b7280';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, x, y);
}

function line(ctx: SKRSContext2D, x1: number, y1: number, x2: number, y2: number): void {
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
}

function yOf(plot: Plot, value: number): number {
  return plot.top + plot.height - ((value - plot.min) / (plot.max - plot.min)) * plot.height;
}

/** Axis bounds on round numbers: five steps of 1, 2, 2.5 or 5 times a power of ten. */
function niceRange(min: number, max: number): [number, number] {
  if (min === max) return [min, min + 1];
  const magnitude = 10 ** Math.floor(Math.log10((max - min) / 5));
  const step = [1, 2, 2.5, 5, 10, 20, 25, 50]
    .map((factor) => factor * magnitude)
    .find((candidate) => Math.ceil(max / candidate) - Math.floor(min / candidate) <= 5)!;
  const low = Math.floor(min / step) * step;
  return [low, low + 5 * step];
}

function formatTick(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 2 }).format(rounded).replace(/\s/g, ' ');
}

function shorten(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}
