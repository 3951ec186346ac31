export { TelegramNotifier } from './telegram-notifier.port';
export { TelegrafNotifier, type TelegrafNotifierOptions } from './telegraf-notifier';
export { escapeHtml, escapeAttribute, bold, italic, code, preformatted, link } from './html';
export { splitHtml, TELEGRAM_TEXT_LIMIT } from './split-html';
export {
  formatCallAlert, formatIntegrationAlert, formatReportMessage, maskPhone,
  type CallAlert, type IntegrationAlert, type ReportMessageOptions,
} from './messages';
