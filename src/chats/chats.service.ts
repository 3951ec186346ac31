import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { toAnalysisVersionDto } from '../calls/call.mapper';
import { Analysis } from '../calls/entities/analysis.entity';
import { assertScoreRange } from '../common/dto/period-query.dto';
import { SettingsService } from '../settings/settings.service';
import { buildChatListSql } from './chats.query';
import { ChatDetailsDto, ChatDto, ChatListDto, ChatMessageDto } from './dto/chat.dto';
import { ListChatsQuery } from './dto/list-chats.query.dto';
import { Chat } from './entities/chat.entity';
import { ChatMessage } from './entities/chat-message.entity';

type ChatRow = Omit<ChatDto, 'startedAt' | 'closedAt' | 'analyzedAt'> & { startedAt: Date; closedAt: Date | null; analyzedAt: Date | null };

@Injectable()
export class ChatsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly settings: SettingsService,
  ) {}

  async list(query: ListChatsQuery): Promise<ChatListDto> {
    assertScoreRange(query);
    const { timeZone } = await this.settings.get();
    const sql = buildChatListSql(query, timeZone);
    const [rows, [{ total }]] = await Promise.all([
      this.dataSource.query<ChatRow[]>(sql.listSql, sql.params),
      this.dataSource.query<{ total: number }[]>(sql.countSql, sql.params.slice(0, sql.countParams)),
    ]);
    return { items: rows.map(toChatDto), page: query.page, pageSize: query.pageSize, total };
  }

  async details(id: number): Promise<ChatDetailsDto> {
    const chat = await this.dataSource.getRepository(Chat).findOneBy({ id });
    if (!chat) throw new NotFoundException(`Chat ${id} not found`);
    const [messages, analyses] = await Promise.all([
      this.dataSource.getRepository(ChatMessage).find({ where: { chatId: id }, order: { sentAt: 'ASC', bitrixMessageId: 'ASC' } }),
      this.dataSource.getRepository(Analysis).find({ where: { chatId: id }, order: { version: 'DESC' } }),
    ]);
    const current = analyses.find((analysis) => analysis.id === chat.latestAnalysisId) ?? null;
    return {
      ...toChatDto(chat as unknown as ChatRow),
      messages: toMessageDtos(messages),
      analysis: current?.result ?? null,
      analysisVersions: analyses.map(toAnalysisVersionDto),
    };
  }
}

function toChatDto(row: ChatRow): ChatDto {
  return {
    id: row.id, bitrixSessionId: row.bitrixSessionId, bitrixActivityId: row.bitrixActivityId, channel: row.channel,
    employeeId: row.employeeId, bitrixUserId: row.bitrixUserId, managerName: row.managerName, clientName: row.clientName,
    crmEntityType: row.crmEntityType, crmEntityId: row.crmEntityId, startedAt: row.startedAt.toISOString(),
    closedAt: row.closedAt?.toISOString() ?? null, closed: row.closed, messageCount: row.messageCount, status: row.status,
    statusReason: row.statusReason, error: row.error, scoreOverall: row.scoreOverall, riskLevel: row.riskLevel, summary: row.summary,
    tags: row.tags ?? [], metrics: row.metrics, analyzedAt: row.analyzedAt?.toISOString() ?? null,
  };
}

function toMessageDtos(messages: ChatMessage[]): ChatMessageDto[] {
  const first = messages[0]?.sentAt.getTime() ?? 0;
  return messages.map((message) => ({
    id: message.id, bitrixMessageId: message.bitrixMessageId, authorRole: message.authorRole, authorName: message.authorName,
    text: message.text, sentAt: message.sentAt.toISOString(), offsetSec: Math.round((message.sentAt.getTime() - first) / 1000),
  }));
}

