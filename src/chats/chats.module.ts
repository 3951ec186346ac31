import { Module } from '@nestjs/common';
import { ChatAnalysisService } from './chat-analysis.service';
import { ChatStore } from './chat.store';
import { ChatSyncRunner } from './chat-sync.runner';
import { ChatSyncService } from './chat-sync.service';
import { ChatsController } from './chats.controller';
import { ChatsService } from './chats.service';

/** Open Lines chats: sync from Bitrix24, analysis, and the read API. */
@Module({
  controllers: [ChatsController],
  providers: [ChatStore, ChatSyncService, ChatAnalysisService, ChatSyncRunner, ChatsService],
  exports: [ChatSyncService, ChatAnalysisService],
})
export class ChatsModule {}
