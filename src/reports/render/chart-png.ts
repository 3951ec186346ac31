import { createCanvas, GlobalFonts, SKRSContext2D } from '@napi-rs/canvas';
import type { Locale } from '../../i18n/locale';
import { localeOf } from '../../i18n/locale';
import { REPORT_FONTS } from './fonts';
import { abbreviateLabel } from './labels';
import type { Box, LayoutRecorder } from './layout';
import { ReportChart } from './report.types';

export interface ChartSize {
  width: number;
  height: number;
}

export interface ChartOptions {
  locale?: Locale;
  /** Pixels per unit of `size`: 2 gives a sharp picture on a printed page. */
  density?: number;
  /** Told every text drawn and the box it was laid out in, for layout checks. */
  layout?: LayoutRecorder;
}

interface Plot extends Box {
  min: number;
  max: number;
}

const PALETTE = ['#2563eb', '#f97316', '#16a34a', '#dc2626', '#9333ea', '#0891b2', '#ca8a04', '#db2777'];
const FONT = REPORT_FONTS.family;
const TEXT_COLOR = '#1f2937';
const MUTED_COLOR = '#6b7280';
const GRID_COLOR = '#e5e7eb';
const AXIS_COLOR = '#9ca3af';
const PADDING = 16;
const TITLE_SIZE = 22;
const LABEL_SIZE = 14;
const TICK_SIZE = 13;
const MAX_LABEL_SHARE = 0.34;
const MAX_BAR_SLOT = 34;
const VALUE_AXIS_HEIGHT = 28;
const TICKS = 5;

let fontsRegistered = false;

/** A chart as PNG: bars run horizontally with every name readable, time series thin their date labels to fit. */
export function renderChartPng(chart: ReportChart, size: ChartSize = { width: 1000, height: 560 }, options: ChartOptions = {}): Buffer {
  registerFonts();
  const density = options.density ?? 1;
  const canvas = createCanvas(Math.round(size.width * density), Math.round(size.height * density));
  const ctx = canvas.getContext('2d');
  ctx.scale(density, density);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, size.width, size.height);
  const draw = new ChartText(ctx, options.layout);
  const locale = options.locale ?? localeOf('ru');
  let top = drawTitle(draw, chart.title, size.width);
  if (chart.series.length > 1) top = drawLegend(draw, chart, size.width, top);
  const values = chart.series.flatMap((series) => series.values).filter(Number.isFinite);
  if (chart.labels.length === 0 || values.length === 0) {
    draw.font(20);
    ctx.fillStyle = MUTED_COLOR;
    draw.text(locale.text.noData, { x: 0, y: top, width: size.width, height: size.height - top }, 'center');
  } else if (chart.kind === 'bar') {
    drawHorizontalBars(draw, chart, { x: 0, y: top, width: size.width, height: size.height - top }, values, locale);
  } else {
    drawLines(draw, chart, { x: 0, y: top, width: size.width, height: size.height - top }, values, locale);
  }
  return canvas.toBuffer('image/png');
}

/** The height a chart needs at `width`: bars take a fixed slot each, a time series half its width. */
export function chartHeightFor(chart: ReportChart, width: number): number {
  if (chart.labels.length === 0) return 110;
  if (chart.kind === 'line') return width / 2;
  const legend = chart.series.length > 1 ? 30 : 0;
  return Math.min(width / 2, Math.max(140, PADDING + TITLE_SIZE + 16 + legend + chart.labels.length * MAX_BAR_SLOT + VALUE_AXIS_HEIGHT + PADDING));
}

function registerFonts(): void {
  if (fontsRegistered) return;
  GlobalFonts.registerFromPath(REPORT_FONTS.regular, FONT);
  GlobalFonts.registerFromPath(REPORT_FONTS.bold, FONT);
  fontsRegistered = true;
}

/** Text drawn inside a box: vertically centred, aligned in it, and reported to the layout recorder. */
class ChartText {
  constructor(readonly ctx: SKRSContext2D, private readonly layout?: LayoutRecorder) {}

  font(size: number, bold = false): void {
    this.ctx.font = `${bold ? 'bold ' : ''}${size}px "${FONT}"`;
  }

  width(text: string): number {
    return this.ctx.measureText(text).width;
  }

  text(text: string, box: Box, align: 'left' | 'center' | 'right'): void {
    const width = this.width(text);
    const x = align === 'left' ? box.x : align === 'right' ? box.x + box.width - width : box.x + (box.width - width) / 2;
    this.ctx.textAlign = 'left';
    this.ctx.textBaseline = 'middle';
    this.ctx.fillText(text, x, box.y + box.height / 2);
    const metrics = this.ctx.measureText(text);
    const middle = box.y + box.height / 2;
    this.layout?.text({
      text,
      bounds: { x, y: middle - metrics.actualBoundingBoxAscent, width, height: metrics.actualBoundingBoxAscent + metrics.actualBoundingBoxDescent },
      box,
    });
  }

  /** The longest start of `text` (ellipsis added) that fits `width`. */
  fit(text: string, width: number): string {
    if (this.width(text) <= width) return text;
    let fitted = text;
    while (fitted.length > 1 && this.width(`${fitted}…`) > width) fitted = fitted.slice(0, -1);
    return `${fitted.trimEnd()}…`;
  }
}

/** The title on one line: a smaller font before an ellipsis. Returns where the next element may start. */
function drawTitle(draw: ChartText, title: string, width: number): number {
  const room = width - PADDING * 2;
  let size = TITLE_SIZE;
  draw.font(size, true);
  while (size > 15 && draw.width(title) > room) draw.font(--size, true);
  draw.ctx.fillStyle = TEXT_COLOR;
  draw.text(draw.fit(title, room), { x: PADDING, y: PADDING, width: room, height: size + 8 }, 'center');
  return PADDING + size + 16;
}

/** Legend entries in rows under the title; returns where the plot may start. */
function drawLegend(draw: ChartText, chart: ReportChart, width: number, top: number): number {
  draw.font(LABEL_SIZE);
  let x = PADDING;
  let y = top;
  chart.series.forEach((series, index) => {
    const name = draw.fit(series.name, width / 2);
    const entryWidth = 22 + draw.width(name) + 24;
    if (x + entryWidth > width - PADDING && x > PADDING) {
      x = PADDING;
      y += 22;
    }
    draw.ctx.fillStyle = PALETTE[index % PALETTE.length];
    draw.ctx.fillRect(x, y + 5, 16, 12);
    draw.ctx.fillStyle = TEXT_COLOR;
    draw.text(name, { x: x + 22, y, width: draw.width(name), height: 22 }, 'left');
    x += entryWidth;
  });
  return y + 30;
}

function drawHorizontalBars(draw: ChartText, chart: ReportChart, area: Box, values: number[], locale: Locale): void {
  const count = chart.labels.length;
  const slot = Math.min(MAX_BAR_SLOT, (area.height - PADDING - VALUE_AXIS_HEIGHT) / count);
  const labelSize = Math.max(9, Math.min(LABEL_SIZE, Math.floor(slot * 0.75)));
  draw.font(labelSize);
  const labelWidth = Math.min(Math.max(...chart.labels.map((label) => draw.width(label))), area.width * MAX_LABEL_SHARE);
  const formatValue = (value: number) => locale.format.number(value, 1);
  const valueWidth = Math.max(...values.map((value) => draw.width(formatValue(value)))) + 8;
  const [min, max] = niceRange(values);
  const plot: Plot = {
    x: area.x + PADDING + labelWidth + 10, y: area.y, width: area.width - PADDING * 2 - labelWidth - 10 - valueWidth, height: slot * count, min, max,
  };
  drawValueAxis(draw, plot, locale);
  const barHeight = (slot * 0.7) / chart.series.length;
  chart.labels.forEach((label, index) => {
    const top = plot.y + slot * index;
    draw.font(labelSize);
    draw.ctx.fillStyle = TEXT_COLOR;
    draw.text(abbreviateLabel(label, labelWidth, (text) => draw.width(text)), { x: area.x + PADDING, y: top, width: labelWidth, height: slot }, 'right');
    chart.series.forEach((series, seriesIndex) => {
      const value = series.values[index];
      if (!Number.isFinite(value)) return;
      const y = top + slot * 0.15 + barHeight * seriesIndex;
      const start = xOf(plot, 0);
      const end = xOf(plot, value);
      draw.ctx.fillStyle = PALETTE[seriesIndex % PALETTE.length];
      draw.ctx.fillRect(Math.min(start, end), y, Math.max(Math.abs(end - start), 1), Math.max(barHeight - 2, 1));
      draw.font(Math.min(labelSize, Math.max(9, Math.floor(barHeight))));
      draw.ctx.fillStyle = TEXT_COLOR;
      draw.text(formatValue(value), { x: Math.max(start, end) + 4, y, width: valueWidth - 4, height: barHeight - 2 }, 'left');
    });
  });
}

/** Vertical grid lines with their values under the bars. */
function drawValueAxis(draw: ChartText, plot: Plot, locale: Locale): void {
  draw.font(TICK_SIZE);
  const step = (plot.max - plot.min) / TICKS;
  const slot = plot.width / TICKS;
  for (let tick = 0; tick <= TICKS; tick++) {
    const value = plot.min + step * tick;
    const x = xOf(plot, value);
    draw.ctx.strokeStyle = value === 0 ? AXIS_COLOR : GRID_COLOR;
    draw.ctx.lineWidth = 1;
    line(draw.ctx, x, plot.y, x, plot.y + plot.height);
    draw.ctx.fillStyle = MUTED_COLOR;
    draw.text(formatTick(value, locale), { x: x - slot / 2, y: plot.y + plot.height + 4, width: slot, height: 20 }, 'center');
  }
}

function drawLines(draw: ChartText, chart: ReportChart, area: Box, values: number[], locale: Locale): void {
  const [min, max] = niceRange(values);
  draw.font(TICK_SIZE);
  const ticks = Array.from({ length: TICKS + 1 }, (_, tick) => min + ((max - min) * tick) / TICKS);
  const tickWidth = Math.max(...ticks.map((value) => draw.width(formatTick(value, locale))));
  const left = area.x + PADDING + tickWidth + 8;
  const plot: Plot = { x: left, y: area.y + 8, width: area.x + area.width - PADDING - left, height: area.height - 8 - PADDING - 26, min, max };
  for (const value of ticks) {
    const y = yOf(plot, value);
    draw.ctx.strokeStyle = value === 0 ? AXIS_COLOR : GRID_COLOR;
    line(draw.ctx, plot.x, y, plot.x + plot.width, y);
    draw.ctx.fillStyle = MUTED_COLOR;
    draw.text(formatTick(value, locale), { x: area.x + PADDING, y: y - 10, width: tickWidth, height: 20 }, 'right');
  }
  drawTimeLabels(draw, plot, chart.labels);
  const slot = plot.width / chart.labels.length;
  chart.series.forEach((series, seriesIndex) => {
    const color = PALETTE[seriesIndex % PALETTE.length];
    const points = series.values
      .map((value, index) => ({ x: plot.x + slot * (index + 0.5), value }))
      .filter((point) => Number.isFinite(point.value))
      .map((point) => ({ x: point.x, y: yOf(plot, point.value) }));
    draw.ctx.strokeStyle = color;
    draw.ctx.fillStyle = color;
    draw.ctx.lineWidth = 3;
    draw.ctx.beginPath();
    points.forEach((point, index) => (index === 0 ? draw.ctx.moveTo(point.x, point.y) : draw.ctx.lineTo(point.x, point.y)));
    draw.ctx.stroke();
    const radius = slot > 14 ? 4 : 0;
    for (const point of radius ? points : []) {
      draw.ctx.beginPath();
      draw.ctx.arc(point.x, point.y, radius, 0, Math.PI * 2);
      draw.ctx.fill();
    }
  });
}

/** Every n-th label, n chosen so that no two labels touch; each label centred under its point. */
function drawTimeLabels(draw: ChartText, plot: Plot, labels: string[]): void {
  draw.font(TICK_SIZE);
  const slot = plot.width / labels.length;
  const widest = Math.max(...labels.map((label) => draw.width(label))) + 12;
  const every = Math.max(1, Math.ceil(widest / slot));
  draw.ctx.fillStyle = TEXT_COLOR;
  labels.forEach((label, index) => {
    if (index % every !== 0) return;
    const centre = plot.x + slot * (index + 0.5);
    const room = Math.min(slot * every, 2 * (centre - plot.x + slot / 2), 2 * (plot.x + plot.width + PADDING - centre));
    draw.text(draw.fit(label, room - 4), { x: centre - room / 2, y: plot.y + plot.height + 6, width: room, height: 20 }, 'center');
  });
}

function line(ctx: SKRSContext2D, x1: number, y1: number, x2: number, y2: number): void {
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
}

function yOf(plot: Plot, value: number): number {
  return plot.y + plot.height - ((value - plot.min) / (plot.max - plot.min)) * plot.height;
}

function xOf(plot: Plot, value: number): number {
  return plot.x + ((value - plot.min) / (plot.max - plot.min)) * plot.width;
}

/** Axis bounds from zero on round numbers: five steps of 1, 2, 2.5 or 5 times a power of ten, whole ones for counts. */
function niceRange(values: number[]): [number, number] {
  const min = Math.min(0, ...values);
  const max = Math.max(0, ...values);
  const counts = values.every(Number.isInteger);
  if (min === max) return [min, min + (counts ? 5 : 1)];
  const magnitude = 10 ** Math.floor(Math.log10((max - min) / 5));
  const step = [1, 2, 2.5, 5, 10, 20, 25, 50]
    .map((factor) => factor * magnitude)
    .filter((candidate) => !counts || Number.isInteger(candidate))
    .find((candidate) => Math.ceil(max / candidate) - Math.floor(min / candidate) <= 5)!;
  const low = Math.floor(min / step) * step;
  return [low, low + 5 * step];
}

function formatTick(value: number, locale: Locale): string {
  return locale.format.number(Math.round(value * 100) / 100, 2);
}
