import { Analysis } from '../calls/entities/analysis.entity';
import { Call } from '../calls/entities/call.entity';
import { CallStage } from '../calls/entities/call-stage.entity';
import { Transcript } from '../calls/entities/transcript.entity';
import { ChatMessage } from '../chats/entities/chat-message.entity';
import { Chat } from '../chats/entities/chat.entity';
import { Department } from '../employees/department.entity';
import { Employee } from '../employees/employee.entity';
import { IntegrationStatus } from '../integrations/integration-status.entity';
import { Notification } from '../notifications/notification.entity';
import { Report } from '../reports/report.entity';
import { SettingsVersion } from '../settings/settings-version.entity';
import { SyncCursor } from '../sync/sync-cursor.entity';
import { SyncRun } from '../sync/sync-run.entity';
import { WebhookEvent } from '../webhooks/webhook-event.entity';

export const ENTITIES = [
  Department,
  Employee,
  Call,
  Transcript,
  Analysis,
  CallStage,
  Chat,
  ChatMessage,
  Report,
  SettingsVersion,
  SyncRun,
  SyncCursor,
  WebhookEvent,
  Notification,
  IntegrationStatus,
];
