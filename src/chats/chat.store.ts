import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { BitrixChatFields, ChatMessageFields } from '../integrations/bitrix/bitrix.mapping';
import { channelOf, plainText } from './chat-channel';
import { computeChatMetrics } from './chat-metrics';
import type { ChatAuthorRole } from './entities/chat-message.entity';

/** One Open Lines session as read from the portal: its activity and, when the portal gave it, its messages. */
export interface SessionSnapshot {
  session: BitrixChatFields;
  messages: ChatMessageFields[] | null;
  /** Why the messages could not be read. */
  historyError?: string;
}

export interface SavedChat {
  chatId: number;
  created: boolean;
}

/** Marks a chat whose messages could not be read; it is read again on the next sync. */
export const HISTORY_UNAVAILABLE = 'history_unavailable';

/** Chats and their messages, upserted by the session's activity id: reading a session twice changes nothing. */
@Injectable()
export class ChatStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  save(snapshot: SessionSnapshot): Promise<SavedChat> {
    return this.dataSource.transaction(async (manager) => {
      const saved = await this.upsertChat(manager, snapshot);
      if (snapshot.messages) await this.saveMessages(manager, saved.chatId, snapshot.messages);
      if (snapshot.messages) await this.refreshSummary(manager, saved.chatId);
      return saved;
    });
  }

  /** Activity ids of sessions to read again: still open, or their messages could not be read. */
  async unfinishedActivityIds(except: Set<number>, limit: number): Promise<number[]> {
    const rows: { id: number }[] = await this.dataSource.query(
      `SELECT bitrix_activity_id AS id FROM chats
        WHERE bitrix_activity_id IS NOT NULL AND (NOT closed OR status_reason = $1) AND NOT (bitrix_activity_id = ANY($2::int[]))
        ORDER BY bitrix_activity_id LIMIT $3`,
      [HISTORY_UNAVAILABLE, [...except], limit],
    );
    return rows.map((row) => Number(row.id));
  }

  private async upsertChat(manager: EntityManager, { session, messages, historyError }: SessionSnapshot): Promise<SavedChat> {
    const employee = await this.employeeOf(manager, session.bitrixUserId);
    const firstMessageAt = messages?.find((message) => message.sentAt)?.sentAt ?? null;
    const operatorName = messages?.find((message) => message.senderRole === 'operator' && message.senderId === session.bitrixUserId)?.senderName;
    const clientName = messages?.find((message) => message.senderRole === 'client')?.senderName ?? null;
    const [row]: { id: number; inserted: boolean }[] = await manager.query(
      `INSERT INTO chats (bitrix_activity_id, bitrix_session_id, channel, employee_id, bitrix_user_id, manager_name, client_name,
                          crm_entity_type, crm_entity_id, started_at, closed_at, closed, status_reason, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (bitrix_activity_id) DO UPDATE SET
         bitrix_session_id = EXCLUDED.bitrix_session_id, channel = EXCLUDED.channel, employee_id = EXCLUDED.employee_id,
         bitrix_user_id = EXCLUDED.bitrix_user_id, manager_name = coalesce(EXCLUDED.manager_name, chats.manager_name),
         client_name = coalesce(EXCLUDED.client_name, chats.client_name), crm_entity_type = EXCLUDED.crm_entity_type,
         crm_entity_id = EXCLUDED.crm_entity_id, started_at = EXCLUDED.started_at, closed_at = EXCLUDED.closed_at, closed = EXCLUDED.closed,
         status_reason = CASE WHEN chats.status = 'analyzed' THEN chats.status_reason ELSE EXCLUDED.status_reason END,
         error = CASE WHEN chats.status = 'analyzed' THEN chats.error ELSE EXCLUDED.error END,
         updated_at = now()
       RETURNING id, (xmax = 0) AS inserted`,
      [
        session.bitrixActivityId, session.sessionId, channelOf(session.connector), employee?.id ?? null, session.bitrixUserId,
        employee?.name ?? operatorName ?? null, clientName, session.crmEntityType, session.crmEntityId,
        session.startedAt ?? firstMessageAt ?? new Date(), session.completed ? (session.endedAt ?? new Date()) : null, session.completed,
        historyError ? HISTORY_UNAVAILABLE : null, historyError ?? null,
      ],
    );
    return { chatId: row.id, created: row.inserted };
  }

  private async saveMessages(manager: EntityManager, chatId: number, messages: ChatMessageFields[]): Promise<void> {
    const kept = messages.filter((message) => message.sentAt !== null);
    if (kept.length === 0) return;
    await manager.query(
      `INSERT INTO chat_messages (chat_id, bitrix_message_id, author_role, author_id, author_name, text, sent_at)
       SELECT $1, * FROM unnest($2::bigint[], $3::varchar[], $4::int[], $5::varchar[], $6::text[], $7::timestamptz[])
       ON CONFLICT (chat_id, bitrix_message_id) DO UPDATE SET text = EXCLUDED.text, author_name = EXCLUDED.author_name
         WHERE chat_messages.text IS DISTINCT FROM EXCLUDED.text OR chat_messages.author_name IS DISTINCT FROM EXCLUDED.author_name`,
      [
        chatId,
        kept.map((message) => message.bitrixMessageId),
        kept.map((message) => roleOf(message)),
        kept.map((message) => (message.senderId > 0 && message.senderId <= 2_147_483_647 ? message.senderId : null)),
        kept.map((message) => message.senderName?.slice(0, 255) ?? null),
        kept.map((message) => plainText(message.text)),
        kept.map((message) => message.sentAt),
      ],
    );
  }

  /** Message count and metrics, from every stored message of the chat. */
  private async refreshSummary(manager: EntityManager, chatId: number): Promise<void> {
    const timeline: { role: ChatAuthorRole; sentAt: Date }[] = await manager.query(
      'SELECT author_role AS role, sent_at AS "sentAt" FROM chat_messages WHERE chat_id = $1 ORDER BY sent_at, bitrix_message_id',
      [chatId],
    );
    const metrics = computeChatMetrics(timeline);
    await manager.query('UPDATE chats SET message_count = $2, metrics = $3 WHERE id = $1', [chatId, timeline.length, metrics]);
  }

  private async employeeOf(manager: EntityManager, bitrixUserId: number | null): Promise<{ id: number; name: string } | undefined> {
    if (bitrixUserId === null) return undefined;
    const rows: { id: number; name: string }[] = await manager.query('SELECT id, name FROM employees WHERE bitrix_user_id = $1', [bitrixUserId]);
    return rows[0];
  }
}

function roleOf(message: ChatMessageFields): ChatAuthorRole {
  return message.senderRole === 'operator' ? 'manager' : message.senderRole;
}
