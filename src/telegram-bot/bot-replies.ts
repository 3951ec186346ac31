import type { EmployeeStatsDto } from '../analytics/dto/analytics.dto';
import type { Locale } from '../i18n/locale';
import { bold, escapeHtml, italic, link } from '../integrations/telegram/html';
import { maskPhone } from '../integrations/telegram/messages';
import type { CallCard, ManagerProblem } from './bot.query';

const TOP = 10;
const REASONS_SHOWN = { check: 3, conflict: 2 };

/** A manager to help: scores, how many problematic calls, and what goes wrong most. */
export interface ManagerToHelp {
  stats: EmployeeStatsDto;
  problematicCalls: number;
  problems: ManagerProblem[];
}

/** The best managers by average score, with how many calls each has. */
export function topReply(scored: EmployeeStatsDto[], period: string, locale: Locale): string {
  const { text, format } = locale;
  if (scored.length === 0) return `${bold(text.bot.top(period))}\n${escapeHtml(text.bot.nobodyScored)}`;
  const lines = scored.slice(0, TOP).map((item, index) =>
    `${index + 1}. ${bold(item.name)} — ${format.number(item.avgScore!, 1)} (${escapeHtml(text.calls(format, item.calls))})`);
  return [bold(text.bot.top(period)), ...lines].join('\n');
}

/** Who needs help: the lowest averages first, each with the criteria they miss most and their conflicts. */
export function worstReply(managers: ManagerToHelp[], period: string, locale: Locale): string {
  const { text, format } = locale;
  if (managers.length === 0) return `${bold(text.bot.worst(period))}\n${escapeHtml(text.bot.nobodyScored)}`;
  const blocks = managers.map(({ stats, problematicCalls, problems }, index) => {
    const lines = [
      `${index + 1}. ${bold(stats.name)} — ${text.bot.avgScore} ${format.number(stats.avgScore!, 1)} · ${text.bot.problematic} ${format.number(problematicCalls)} / ${escapeHtml(text.calls(format, stats.calls))}`,
    ];
    const named = (kind: ManagerProblem['kind']) => problems.filter((problem) => problem.kind === kind).slice(0, REASONS_SHOWN[kind])
      .map((problem) => `${escapeHtml(problem.name)} (${format.number(problem.count)})`).join(', ');
    if (named('check')) lines.push(`   ${escapeHtml(text.bot.failedMost)}: ${named('check')}`);
    if (named('conflict')) lines.push(`   ${escapeHtml(text.bot.conflicts)}: ${named('conflict')}`);
    return lines.join('\n');
  });
  return [bold(text.bot.worst(period)), ...blocks].join('\n\n');
}

/** One call: when, who, how it scored, what went wrong, and a link to it in the frontend. */
export function callReply(call: CallCard, url: string, timeZone: string, locale: Locale): string {
  const { text, format } = locale;
  const words = text.alerts;
  const score = call.score === null ? words.notScored : `${bold(format.number(call.score))}/100`;
  const risk = call.riskLevel ? ` · ${text.report.columns.risk.toLowerCase()}: ${escapeHtml(text.risk[call.riskLevel] ?? call.riskLevel)}` : '';
  const lines = [
    `${bold(text.bot.callHeading(call.id))} · ${escapeHtml(format.dateTime(new Date(call.startedAt), timeZone))}`,
    `${words.manager}: ${bold(call.managerName ?? text.unknown)} · ${words.client}: ${escapeHtml(maskPhone(call.clientPhone, locale))}`,
    `${text.bot.duration}: ${format.duration(call.durationSec)} · ${text.bot.status}: ${escapeHtml(text.status[call.status] ?? call.status)}`,
    `${words.score}: ${score}${risk}`,
  ];
  if (call.summary?.trim()) lines.push('', bold(text.bot.summary), italic(call.summary.trim()));
  const problems = [...call.conflictReasons, ...call.failedChecks.map((title) => text.notDone(title))];
  if (problems.length > 0) lines.push('', bold(text.bot.mainProblems), ...problems.map((problem) => `• ${escapeHtml(problem)}`));
  lines.push('', link(url, words.openCall));
  return lines.join('\n');
}
