import { Inject, Injectable, Logger } from '@nestjs/common';
import { AnalyticsService } from '../analytics/analytics.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { Locale } from '../i18n/locale';
import { localeOf } from '../i18n/locale';
import { escapeHtml } from '../integrations/telegram/html';
import { TelegramBotApi, TelegramUpdate } from '../integrations/telegram/telegram-bot-api.port';
import { renderChartPng } from '../reports/render/chart-png';
import { scoreChart } from '../reports/report-builder';
import { GenerateReportDto } from '../reports/dto/report.dto';
import { REPORT_TYPES, type ReportType } from '../reports/report.entity';
import { ReportsService } from '../reports/reports.service';
import { SettingsService } from '../settings/settings.service';
import { BotCommand, parseCommand } from './bot-command';
import { BotPeriod, parsePeriod } from './bot-period';
import { callReply, ManagerToHelp, topReply, worstReply } from './bot-replies';
import { BotQuery, BotScope } from './bot.query';

/** Where a command came from and what it may see. */
interface CommandContext {
  chatId: string;
  privateChat: boolean;
  scope: BotScope;
  locale: Locale;
  timeZone: string;
}

const WORST_SHOWN = 5;
const REPORT_ALIASES: Record<string, ReportType> = {
  менеджеры: 'employees', рейтинг: 'employees', проблемные: 'problematic-calls', problems: 'problematic-calls',
  тренды: 'trends', динамика: 'trends', дайджест: 'digest',
};
const FORMATS = new Set(['xlsx', 'excel', 'pdf']);

/**
 * Answers commands in the configured chats, in the settings' language; a message from any other chat is
 * ignored and logged. Each command reads data within the chat's scope.
 */
@Injectable()
export class TelegramBotService {
  private readonly logger = new Logger(TelegramBotService.name);
  private username?: string;

  constructor(
    private readonly api: TelegramBotApi,
    private readonly analytics: AnalyticsService,
    private readonly reports: ReportsService,
    private readonly settings: SettingsService,
    private readonly query: BotQuery,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The commands as Telegram offers them in its menu. */
  async registerCommands(): Promise<void> {
    const { text } = localeOf((await this.settings.get()).analysis.language);
    await this.api.setCommands(Object.entries(text.bot.commands).map(([command, description]) => ({ command, description })));
  }

  /** Handles one update; never throws (a failure is logged and the chat told). */
  async handle(update: TelegramUpdate): Promise<void> {
    const message = update.message;
    if (!message?.text) return;
    const chatId = String(message.chat.id);
    const scope = this.scopeOf(chatId);
    if (!scope) {
      this.logger.warn(`Ignored a message from chat ${chatId}, which is not a configured chat`);
      return;
    }
    const { analysis, timeZone } = await this.settings.get();
    const context: CommandContext = { chatId, privateChat: message.chat.type === 'private', scope, locale: localeOf(analysis.language), timeZone };
    try {
      await this.dispatch(parseCommand(message.text, await this.botUsername()), message.text, context);
    } catch (error) {
      this.logger.error(`Command in chat ${chatId} failed: ${(error as Error).message}`);
      await this.api.sendHtml(chatId, escapeHtml(context.locale.text.bot.failed)).catch(() => undefined);
    }
  }

  /** Every configured chat sees everything; the place to look up a linked user's scope instead. */
  private scopeOf(chatId: string): BotScope | undefined {
    const chats = [this.config.telegram.chatId, ...this.config.telegram.bot.extraChatIds].filter(Boolean);
    return chats.includes(chatId) ? {} : undefined;
  }

  private async dispatch(command: BotCommand | undefined, text: string, context: CommandContext): Promise<void> {
    const bot = context.locale.text.bot;
    if (!command) {
      // In a group the bot sees other people's talk too; it answers plain text only in a private chat.
      if (context.privateChat && !text.trim().startsWith('/')) await this.reply(context, escapeHtml(bot.unknown));
      return;
    }
    switch (command.name) {
      case 'top':
        return this.withPeriod(command.args, context, (period) => this.top(period, context));
      case 'worst':
        return this.withPeriod(command.args, context, (period) => this.worst(period, context));
      case 'report':
        return this.report(command.args, context);
      case 'call':
        return this.call(command.args, context);
      case 'help':
      case 'start':
        return this.reply(context, bot.help);
      default:
        return this.reply(context, escapeHtml(bot.unknown));
    }
  }

  private async withPeriod(args: string[], context: CommandContext, answer: (period: BotPeriod) => Promise<void>): Promise<void> {
    const period = parsePeriod(args);
    if (!period) return this.reply(context, escapeHtml(context.locale.text.bot.badPeriod(args.join(' '))));
    return answer(period);
  }

  private async top(period: BotPeriod, context: CommandContext): Promise<void> {
    const { items, from, to } = await this.analytics.employees({ ...period, ...context.scope });
    const scored = items.filter((item) => item.avgScore !== null);
    const label = context.locale.format.period(from, to);
    if (scored.length > 0) {
      const chart = scoreChart(scored, context.locale);
      await this.api.sendPhoto(context.chatId, renderChartPng(chart, undefined, { locale: context.locale }), escapeHtml(`${chart.title} · ${label}`));
    }
    await this.reply(context, topReply(scored, label, context.locale));
  }

  private async worst(period: BotPeriod, context: CommandContext): Promise<void> {
    const query = { ...period, ...context.scope };
    const [{ items, from, to }, scope, { analysis }] = await Promise.all([this.analytics.employees(query), this.analytics.scope(query), this.settings.get()]);
    const weakest = items.filter((item) => item.avgScore !== null).sort((a, b) => a.avgScore! - b.avgScore!).slice(0, WORST_SHOWN);
    const ids = weakest.map((item) => item.employeeId);
    const [counts, problems] = await Promise.all([
      this.analytics.problematicCallsByManager(scope, analysis.riskThresholds.mediumBelowScore),
      ids.length > 0 ? this.query.problemsOf(ids, scope.from, scope.to) : Promise.resolve([]),
    ]);
    const managers: ManagerToHelp[] = weakest.map((stats) => ({
      stats,
      problematicCalls: counts.find((count) => count.employeeId === stats.employeeId)?.calls ?? 0,
      problems: problems.filter((problem) => problem.employeeId === stats.employeeId),
    }));
    await this.reply(context, worstReply(managers, context.locale.format.period(from, to), context.locale));
  }

  /** `/report <type> [period] [xlsx]`: the report generated and stored, sent as a PDF (and a workbook on request). */
  private async report(args: string[], context: CommandContext): Promise<void> {
    const [requested = '', ...rest] = args.map((arg) => arg.toLowerCase());
    const type = REPORT_ALIASES[requested] ?? (REPORT_TYPES as readonly string[]).find((name) => name === requested);
    if (!type) return this.reply(context, escapeHtml(context.locale.text.bot.badReportType));
    const formats = rest.filter((arg) => FORMATS.has(arg));
    return this.withPeriod(rest.filter((arg) => !FORMATS.has(arg)), context, async (period) => {
      const generated = await this.reports.generate(type, Object.assign(new GenerateReportDto(), period, context.scope, { send: false }));
      const caption = escapeHtml(context.locale.text.bot.reportCaption(generated.title, context.locale.format.period(generated.from, generated.to)));
      for (const format of ['pdf' as const, ...(formats.some((name) => name !== 'pdf') ? ['xlsx' as const] : [])]) {
        const file = await this.reports.file(generated.id, format);
        await this.api.sendDocument(context.chatId, { source: file.content, filename: file.filename }, caption);
      }
    });
  }

  private async call(args: string[], context: CommandContext): Promise<void> {
    const bot = context.locale.text.bot;
    const id = /^#?(\d{1,9})$/.exec(args[0] ?? '')?.[1];
    if (!id) return this.reply(context, escapeHtml(bot.callIdNeeded));
    const card = await this.query.callCard(Number(id), context.scope);
    if (!card) return this.reply(context, escapeHtml(bot.callNotFound(Number(id))));
    await this.reply(context, callReply(card, `${this.config.frontendUrl}/calls/${card.id}`, context.timeZone, context.locale));
  }

  private async reply(context: CommandContext, html: string): Promise<void> {
    await this.api.sendHtml(context.chatId, html);
  }

  private async botUsername(): Promise<string> {
    return (this.username ??= await this.api.botUsername());
  }
}
