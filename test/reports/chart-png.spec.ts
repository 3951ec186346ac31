import { createCanvas, loadImage } from '@napi-rs/canvas';
import { renderChartPng } from '../../src/reports/render/chart-png';
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
});
