import { PDFParse } from 'pdf-parse';
import { renderReportPdf } from '../../src/reports/render/report-pdf';
import { MANAGERS, sampleReport } from './sample-report';

async function readPdf(pdf: Buffer) {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    const text = await parser.getText();
    const images = await parser.getImage({ imageThreshold: 0, imageDataUrl: false });
    return { text: text.text, pages: text.pages.map((page) => page.text), images: images.pages.flatMap((page) => page.images) };
  } finally {
    await parser.destroy();
  }
}

describe('renderReportPdf', () => {
  it('writes the title, the summary and the tables in Cyrillic, with dates in the report time zone', async () => {
    const pdf = await renderReportPdf(sampleReport());

    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const { text } = await readPdf(pdf);
    expect(text).toContain('Отчёт по менеджерам');
    expect(text).toContain('Всего звонков: 120');
    for (const name of MANAGERS) expect(text).toContain(name);
    expect(text).toMatch(/Средний балл/);
    expect(text).toContain('01.04.2026 00:15');
    expect(text).toContain('45%');
    expect(text).toContain('3:05');
    expect(text).toContain('Строка 4');
  });

  it('embeds the chart as an image sharp enough to print', async () => {
    const { images } = await readPdf(await renderReportPdf(sampleReport()));

    expect(images.length).toBeGreaterThanOrEqual(1);
    expect(images[0].width).toBeGreaterThanOrEqual(1000);
  });

  it('breaks a long table across pages and repeats its header on each', async () => {
    const { pages } = await readPdf(await renderReportPdf(sampleReport(150)));

    expect(pages.length).toBeGreaterThanOrEqual(3);
    const last = pages[pages.length - 1];
    expect(last).toMatch(/Дата\s+Звонки\s+Комментарий/);
    expect(last).toContain(`${pages.length} / ${pages.length}`);
    expect(pages.join('\n')).toContain('Строка 154');
  });

  it('cuts only the too-wide cell, with an ellipsis, and keeps narrow columns whole', async () => {
    const report = sampleReport();
    report.tables[1].rows[1].note = `Очень длинный комментарий ${'слово '.repeat(200)}конец`;

    const { text } = await readPdf(await renderReportPdf(report));

    expect(text).toContain('Очень длинный комментарий');
    expect(text).toContain('…');
    expect(text).not.toContain('конец');
    expect(text).toContain('02.03.2026');
  });
});
