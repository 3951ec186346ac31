import { AnalysisVersionDto } from '../../calls/dto/call.dto';
import type { CallStatus } from '../../calls/entities/call.entity';
import type { RiskLevel } from '../../settings/settings.types';
import type { ChatAuthorRole } from '../entities/chat-message.entity';
import type { ChatMetrics } from '../chat-metrics';

export class ChatDto {
  /** @example 77 */
  id: number;
  /** @example 4321 */
  bitrixSessionId: number | null;
  bitrixActivityId: number | null;
  /** whatsapp, instagram, telegram, vk, livechat… @example "telegram" */
  channel: string;
  employeeId: number | null;
  bitrixUserId: number | null;
  /** @example "Анна Смирнова" */
  managerName: string | null;
  /** @example "Клиент Telegram" */
  clientName: string | null;
  crmEntityType: string | null;
  crmEntityId: number | null;
  /** ISO 8601 UTC. @example "2026-11-20T09:15:00.000Z" */
  startedAt: string;
  closedAt: string | null;
  closed: boolean;
  /** @example 14 */
  messageCount: number;
  status: CallStatus;
  /** Finer state, e.g. `llm_not_configured`, `analysis_failed`, `history_unavailable`. */
  statusReason: string | null;
  error: string | null;
  /** 0–100. @example 64 */
  scoreOverall: number | null;
  riskLevel: RiskLevel | null;
  summary: string | null;
  tags: string[];
  metrics: ChatMetrics | null;
  analyzedAt: string | null;
}

export class ChatListDto {
  items: ChatDto[];
  /** @example 1 */
  page: number;
  /** @example 20 */
  pageSize: number;
  /** @example 87 */
  total: number;
}

export class ChatMessageDto {
  id: number;
  bitrixMessageId: number;
  /** manager, client or system. */
  authorRole: ChatAuthorRole;
  authorName: string | null;
  text: string;
  /** ISO 8601 UTC. */
  sentAt: string;
  /** Seconds since the chat's first message. @example 95 */
  offsetSec: number;
}

export class ChatDetailsDto extends ChatDto {
  messages: ChatMessageDto[];
  /** The analysis in force, parsed (the same shape as a call's). */
  analysis: Record<string, unknown> | null;
  analysisVersions: AnalysisVersionDto[];
}

export class ChatSyncReplyDto {
  /** @example true */
  ok: boolean;
  /** @example 12 */
  runId: number;
  /** False when the run goes on in the background (202). */
  finished: boolean;
  /** Sessions read. @example 40 */
  synced?: number;
  created?: number;
  updated?: number;
  /** Open sessions read again. */
  reread?: number;
}
