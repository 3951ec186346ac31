import { Module } from '@nestjs/common';
import { ChatsModule } from '../chats/chats.module';
import { SyncModule } from '../sync/sync.module';
import { GenericCallEvents } from './generic-call-events';
import { UnreadableBodyRecorder } from './unreadable-body.recorder';
import { WebhookAuth } from './webhook-auth';
import { WebhookEventProcessor } from './webhook-event.processor';
import { WebhookEventStore } from './webhook-event.store';
import { WebhookIntake } from './webhook-intake';
import { WebhooksController } from './webhooks.controller';
import { WebhooksScheduler } from './webhooks.scheduler';

/** `POST /webhooks/incoming/:token`: generic call events and Bitrix24 outbound events. */
@Module({
  imports: [ChatsModule, SyncModule],
  controllers: [WebhooksController],
  providers: [
    WebhookAuth, WebhookEventStore, GenericCallEvents, WebhookEventProcessor, WebhookIntake, UnreadableBodyRecorder, WebhooksScheduler,
  ],
  exports: [WebhookEventProcessor],
})
export class WebhooksModule {}
