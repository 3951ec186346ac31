import { BadRequestException, Injectable, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { findPage } from '../database/find-page';
import { localeOf } from '../i18n/locale';
import { bold, escapeHtml } from '../integrations/telegram/html';
import { TelegramNotifier } from '../integrations/telegram/telegram-notifier.port';
import { SettingsService } from '../settings/settings.service';
import type { GenerateReportDto, GeneratedReportDto, ListReportsQueryDto, ReportDetailsDto, ReportDto, ReportListDto, TestTelegramResultDto } from './dto/report.dto';
import { renderReportPdf } from './render/report-pdf';
import { renderReportXlsx } from './render/report-xlsx';
import type { RenderableReport } from './render/report.types';
import { ReportBuilder } from './report-builder';
import { ReportDelivery } from './report-delivery';
import { Report, REPORT_TYPES, type ReportType } from './report.entity';

export interface ReportFile {
  content: Buffer;
  contentType: string;
  filename: string;
}

interface StoredData {
  report: Omit<RenderableReport, 'generatedAt' | 'language'> & { generatedAt: string; language?: RenderableReport['language'] };
  linksHtml?: string;
}

const CONTENT_TYPES = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

@Injectable()
export class ReportsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly builder: ReportBuilder,
    private readonly delivery: ReportDelivery,
    private readonly telegram: TelegramNotifier,
    private readonly settings: SettingsService,
  ) {}

  /** Builds and stores the report, then sends it unless `send` is false; Telegram trouble is reported, not thrown. */
  async generate(type: string, params: GenerateReportDto, now = new Date()): Promise<GeneratedReportDto> {
    if (!(REPORT_TYPES as readonly string[]).includes(type)) throw new BadRequestException(`type: must be one of ${REPORT_TYPES.join(', ')}`);
    const { send, ...filters } = params;
    const built = await this.builder.build(type as ReportType, params, now);
    const data: StoredData = { report: { ...built.report, generatedAt: built.report.generatedAt.toISOString() }, linksHtml: built.linksHtml };
    const repository = this.dataSource.getRepository(Report);
    let report = await repository.save({
      type: type as ReportType, title: built.report.title, periodFrom: built.scope.from, periodTo: built.scope.to,
      params: { ...filters, from: built.scope.period.from, to: built.scope.period.to }, data: data as unknown as Record<string, unknown>,
    });
    if (!send) return { ...toDetails(report), delivery: { status: 'not_sent', error: null, messageIds: [] } };
    const outcome = await this.delivery.send(built.report, built.linksHtml);
    report = await repository.save({ ...report, deliveryStatus: outcome.status, deliveryError: outcome.error, sentAt: outcome.status === 'sent' ? new Date() : null });
    return { ...toDetails(report), delivery: outcome };
  }

  async list(query: ListReportsQueryDto): Promise<ReportListDto> {
    const { items, total } = await findPage(this.dataSource.getRepository(Report), {
      select: { id: true, type: true, title: true, periodFrom: true, periodTo: true, params: true, deliveryStatus: true, deliveryError: true, sentAt: true, createdAt: true },
      where: query.type ? { type: query.type } : {},
      order: { createdAt: 'DESC', id: 'DESC' },
    }, query.page, query.pageSize);
    return { items: items.map(toDto), page: query.page, pageSize: query.pageSize, total };
  }

  async details(id: number): Promise<ReportDetailsDto> {
    return toDetails(await this.find(id));
  }

  async file(id: number, format: 'pdf' | 'xlsx'): Promise<ReportFile> {
    const report = await this.find(id);
    const renderable = renderableOf(report);
    const content = format === 'pdf' ? await renderReportPdf(renderable) : await renderReportXlsx(renderable);
    const period = String(report.params.from ?? '') === String(report.params.to ?? '') ? report.params.from : `${report.params.from}_${report.params.to}`;
    return { content, contentType: CONTENT_TYPES[format], filename: `report-${report.id}-${report.type}-${period}.${format}` };
  }

  async testTelegram(): Promise<TestTelegramResultDto> {
    if (!this.telegram.isConfigured()) {
      throw new ServiceUnavailableException('Telegram is not configured: set TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID');
    }
    const { text } = localeOf((await this.settings.get()).analysis.language);
    const [messageId] = await this.telegram.sendHtml(`✅ ${bold('AI CRM Analytics')}\n${escapeHtml(text.alerts.test)}`);
    return { ok: true, messageId };
  }

  private async find(id: number): Promise<Report> {
    const report = await this.dataSource.getRepository(Report).findOneBy({ id });
    if (!report) throw new NotFoundException(`Report ${id} not found`);
    return report;
  }
}

export function renderableOf(report: Pick<Report, 'data'>): RenderableReport {
  const stored = (report.data as unknown as StoredData).report;
  // Reports stored before they had a language were written in English.
  return { language: 'en', ...stored, generatedAt: new Date(stored.generatedAt) };
}

function toDto(report: Report): ReportDto {
  return {
    id: report.id, type: report.type, title: report.title,
    from: String(report.params.from ?? report.periodFrom.toISOString()), to: String(report.params.to ?? report.periodTo.toISOString()),
    params: report.params, deliveryStatus: report.deliveryStatus, deliveryError: report.deliveryError,
    sentAt: report.sentAt?.toISOString() ?? null, createdAt: report.createdAt.toISOString(),
  };
}

function toDetails(report: Report): ReportDetailsDto {
  return { ...toDto(report), data: report.data };
}
