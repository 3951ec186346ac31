import ExcelJS from 'exceljs';
import { renderReportXlsx } from '../../src/reports/render/report-xlsx';
import { MANAGERS, sampleReport } from './sample-report';

async function readWorkbook(xlsx: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsx as unknown as ExcelJS.Buffer);
  return workbook;
}

describe('renderReportXlsx', () => {
  it('has a summary sheet, one sheet per table and a sheet of charts', async () => {
    const workbook = await readWorkbook(await renderReportXlsx(sampleReport()));

    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Сводка', 'Менеджеры', 'Звонки по дням', 'Графики']);
    const summary = workbook.getWorksheet('Сводка')!;
    expect(summary.getCell('A1').value).toBe('Отчёт по менеджерам');
    expect(summary.getColumn(1).values).toEqual(expect.arrayContaining(['Всего звонков: 120', 'Сформирован 01.04.2026 08:00 (Europe/Moscow)']));
    expect(workbook.getWorksheet('Графики')!.getImages()).toHaveLength(1);
  });

  it('names its sheets in English for an English report', async () => {
    const workbook = await readWorkbook(await renderReportXlsx({ ...sampleReport(), language: 'en' }));

    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Summary', 'Менеджеры', 'Звонки по дням', 'Charts']);
    expect(workbook.getWorksheet('Summary')!.getColumn(1).values).toEqual(expect.arrayContaining(['Generated 1 Apr 2026, 08:00 (Europe/Moscow)']));
  });

  it('puts the numbers of each chart beside its picture, for a chart of one\'s own', async () => {
    const sheet = (await readWorkbook(await renderReportXlsx(sampleReport()))).getWorksheet('Графики')!;

    expect(sheet.getRow(1).values).toEqual([...Array(13).fill(undefined), 'Средний балл', 'Балл']);
    expect(sheet.getRow(2).getCell(13).value).toBe(MANAGERS[0]);
    expect(sheet.getRow(5).getCell(14).value).toBe(73);
  });

  it('links a cell to the address its column names', async () => {
    const report = sampleReport();
    report.tables[0].columns[0].linkKey = 'url';
    report.tables[0].rows[0].url = 'https://crm.example/calls/7';

    const sheet = (await readWorkbook(await renderReportXlsx(report))).getWorksheet('Менеджеры')!;

    expect(sheet.getCell('A2').value).toEqual({ text: MANAGERS[0], hyperlink: 'https://crm.example/calls/7' });
    expect(sheet.getCell('A3').value).toBe(MANAGERS[1]);
  });

  it('writes a bold frozen header and typed cells with number formats', async () => {
    const workbook = await readWorkbook(await renderReportXlsx(sampleReport()));
    const sheet = workbook.getWorksheet('Менеджеры')!;

    expect(sheet.getRow(1).values).toEqual([undefined, 'Менеджер', 'Звонки', 'Средний балл', 'Доля речи', 'Длительность', 'Последний звонок']);
    expect(sheet.getCell('A1').font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.rowCount).toBe(1 + MANAGERS.length);

    const [name, calls, score, talk, duration, lastCall] = ['A2', 'B2', 'C2', 'D2', 'E2', 'F2'].map((address) => sheet.getCell(address));
    expect(name.value).toBe('Анна Смирнова');
    expect(name.type).toBe(ExcelJS.ValueType.String);
    expect(calls).toMatchObject({ value: 30, type: ExcelJS.ValueType.Number, numFmt: '#,##0' });
    expect(score).toMatchObject({ value: 70.25, type: ExcelJS.ValueType.Number, numFmt: '#,##0.00' });
    expect(talk).toMatchObject({ value: 0.45, type: ExcelJS.ValueType.Number, numFmt: '0.0%' });
    // A duration is a fraction of a day shown as [h]:mm:ss; exceljs reads any time format back as a Date.
    expect(duration.numFmt).toBe('[h]:mm:ss');
    expect((duration.value as Date).toISOString()).toBe('1899-12-30T00:03:05.000Z');
    expect(lastCall.type).toBe(ExcelJS.ValueType.Date);
    expect(lastCall.numFmt).toBe('dd.mm.yyyy hh:mm');
    // 21:15 UTC on 31 March is 00:15 on 1 April in Moscow, which is what the sheet must show.
    expect((lastCall.value as Date).toISOString()).toBe('2026-04-01T00:15:00.000Z');
  });

  it('keeps calendar days unshifted, leaves missing values empty and sizes columns to their content', async () => {
    const workbook = await readWorkbook(await renderReportXlsx(sampleReport()));
    const sheet = workbook.getWorksheet('Звонки по дням')!;

    expect(sheet.getCell('A2').value).toEqual(new Date('2026-03-01T00:00:00Z'));
    expect(sheet.getCell('A2').numFmt).toBe('dd.mm.yyyy');
    expect(sheet.getCell('C2').type).toBe(ExcelJS.ValueType.Null);
    expect(sheet.getCell('C3').value).toBe('Строка 1');
    expect(sheet.getColumn(3).width).toBeGreaterThanOrEqual('Комментарий'.length);
  });

  it('makes sheet names Excel accepts: short, without reserved characters, unique', async () => {
    const report = sampleReport();
    const table = report.tables[1];
    report.tables = [
      { ...table, name: 'Отказы: причины [март] / апрель и ещё очень длинное название' },
      { ...table, name: 'Отказы: причины [март] / апрель и ещё очень длинное название' },
      { ...table, name: 'сводка' },
    ];

    const names = (await readWorkbook(await renderReportXlsx(report))).worksheets.map((sheet) => sheet.name);

    expect(names).toEqual(['Сводка', 'Отказы причины март апрель и ещ', 'Отказы причины март апрель и 2', 'сводка 2', 'Графики']);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(31);
  });
});
