import { createCanvas, loadImage } from '@napi-rs/canvas';
import { renderChartPng } from '../../src/reports/render/chart-png';
import { abbreviateLabel } from '../../src/reports/render/labels';
import { localeOf } from '../../src/i18n/locale';
import { chartTextProblems, layoutRecorder } from '../support/layout-check';
import { ReportChart } from '../../src/reports/render/report.types';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

async function pixels(png: Buffer, width: number, height: number): Promise<Uint8ClampedArray> {
  const image = await loadImage(png);
  const ctx = createCanvas(width, height).getContext('2d');
  ctx.drawImage(image, 0, 0);
  return ctx.getImageData(0, 0, width, height).data;
}

function countColor(data: Uint8ClampedArray, [r, g, b]: number[]): number {
  let count = 0;
  for (let index = 0; index < data.length; index += 4) {
    if (data[index] === r && data[index + 1] === g && data[index + 2] === b) count++;
  }
  return count;
}

const chart: ReportChart = {
  title: 'Звонки по менеджерам',
  kind: 'bar',
  labels: ['Анна', 'Борис', 'Вика'],
  series: [{ name: 'Звонки', values: [10, 20, 5] }, { name: 'Риск', values: [1, 4, 0] }],
};

describe('renderChartPng', () => {
  it('draws a PNG of the asked size with a bar per value in each series colour', async () => {
    const png = renderChartPng(chart, { width: 600, height: 400 });

    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(png.readUInt32BE(16)).toBe(600);
    expect(png.readUInt32BE(20)).toBe(400);
    const data = await pixels(png, 600, 400);
    expect(countColor(data, [0x25, 0x63, 0xeb])).toBeGreaterThan(2000);
    expect(countColor(data, [0xf9, 0x73, 0x16])).toBeGreaterThan(300);
  });

  it('draws lines for a line chart, also with negative values', async () => {
    const png = renderChartPng({ ...chart, kind: 'line', series: [{ name: 'Настроение', values: [-0.5, 0.2, 0.8] }] }, { width: 600, height: 400 });

    const data = await pixels(png, 600, 400);
    expect(countColor(data, [0x25, 0x63, 0xeb])).toBeGreaterThan(300);
  });

  it('renders Cyrillic glyphs, not the empty boxes drawn for missing ones', () => {
    const cyrillic = renderChartPng({ ...chart, title: 'Ж'.repeat(10), series: [] }, { width: 600, height: 200 });
    const unassigned = renderChartPng({ ...chart, title: '\u0530'.repeat(10), series: [] }, { width: 600, height: 200 });

    expect(cyrillic.equals(unassigned)).toBe(false);
  });

  it('says there is no data instead of drawing empty axes', async () => {
    const empty = renderChartPng({ ...chart, labels: [], series: [] }, { width: 400, height: 300 });

    expect(empty.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  });

  it('writes bar values and axis numbers the way the language does', () => {
    const layout = layoutRecorder();
    renderChartPng({ ...chart, series: [{ name: 'Балл', values: [71.5, 1234.25, 5] }] }, { width: 600, height: 400 }, { layout, locale: localeOf('en') });
    const russian = layoutRecorder();
    renderChartPng({ ...chart, series: [{ name: 'Балл', values: [71.5, 1234.25, 5] }] }, { width: 600, height: 400 }, { layout: russian });

    expect(layout.entries.map((entry) => entry.text)).toEqual(expect.arrayContaining(['71.5', '1,234.3']));
    expect(russian.entries.map((entry) => entry.text)).toEqual(expect.arrayContaining(['71,5', '1 234,3']));
  });

  it('keeps every name, value and title inside its place and the picture, abbreviating long names', () => {
    const layout = layoutRecorder();
    const labels = ['Ян', 'Елена Волкова (демо)', 'Константин Константинопольский (отдел по работе с ключевыми клиентами)'];
    const title = 'Средний балл по менеджерам отдела по работе с ключевыми клиентами за первый квартал';

    renderChartPng({ title, kind: 'bar', labels, series: [{ name: 'Балл', values: [10, 55.5, 90] }] }, { width: 500, height: 300 }, { layout });

    const texts = layout.entries.map((entry) => entry.text);
    expect(chartTextProblems(layout.entries, { width: 500, height: 300 })).toEqual([]);
    expect(texts).toContain('Ян');
    expect(texts).toContain('К. Константинополь…');
    expect(texts.some((text) => text.includes('ключевыми клиентами)'))).toBe(false);
  });

  it('shows only as many date labels as fit side by side', () => {
    const layout = layoutRecorder();
    const labels = Array.from({ length: 92 }, (_, index) => `${String((index % 30) + 1).padStart(2, '0')}.0${Math.floor(index / 30) + 1}`);

    renderChartPng({ title: 'Звонки', kind: 'line', labels, series: [{ name: 'Звонки', values: labels.map((_, index) => index % 7) }] }, { width: 1000, height: 560 }, { layout });

    const dates = layout.entries.filter((entry) => /^\d\d\.\d\d$/.test(entry.text));
    expect(dates.length).toBeGreaterThan(8);
    expect(dates.length).toBeLessThan(40);
    expect(chartTextProblems(layout.entries, { width: 1000, height: 560 })).toEqual([]);
  });
});

describe('abbreviateLabel', () => {
  const byLength = (text: string) => text.length;

  it.each([
    [30, 'Елена Волкова (демо)'],
    [15, 'Елена Волкова'],
    [12, 'Е. Волкова'],
    [8, 'Е. Волк…'],
  ])('fits "Елена Волкова (демо)" into %i as "%s"', (width, expected) => {
    expect(abbreviateLabel('Елена Волкова (демо)', width, byLength)).toBe(expected);
  });

  it('cuts a single long word with an ellipsis', () => {
    expect(abbreviateLabel('Константинопольский', 8, byLength)).toBe('Констан…');
  });
});
