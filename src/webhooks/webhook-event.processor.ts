import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { BackgroundWork } from '../common/background-work';
import { IntegrationError } from '../common/errors';
import { ChatSyncService } from '../chats/chat-sync.service';
import { CallSyncService } from '../sync/call-sync.service';
import { GenericCallEvents, StoredGenericCall } from './generic-call-events';
import type { WebhookEvent } from './webhook-event.entity';
import { EventOutcome, WebhookEventStore } from './webhook-event.store';

const SWEEP_BATCH = 20;

/**
 * The work behind stored events: right after the reply, and again from the pending-event sweep when it failed
 * or its process died. Each attempt is counted and leased on the row, so instances never work one event twice at once.
 */
@Injectable()
export class WebhookEventProcessor implements OnApplicationShutdown {
  private readonly logger = new Logger('IncomingWebhook');
  private readonly background = new BackgroundWork();

  constructor(
    private readonly store: WebhookEventStore,
    private readonly calls: GenericCallEvents,
    private readonly callSync: CallSyncService,
    private readonly chatSync: ChatSyncService,
  ) {}

  /** Runs the work of an event stored as leased, after the current request has been answered. */
  startSoon(event: WebhookEvent): void {
    this.background.add(new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.attempt(event)));
  }

  /** Queues the call of a generic event; a queue failure leaves the event for the sweep. */
  async finishGenericCall(event: WebhookEvent, call: StoredGenericCall): Promise<{ status: WebhookEvent['status']; queued: boolean }> {
    try {
      const queued = await this.calls.queueIfWanted(call);
      const result = genericOutcome(call, queued);
      await this.store.finish(event.id, result);
      return { status: result.status, queued };
    } catch (error) {
      await this.store.fail(event, `call ${call.callId} stored; queueing it failed: ${reasonOf(error)}`, call.callId);
      return { status: 'failed', queued: false };
    }
  }

  /** Works through due events (failed ones after their back-off, and those whose process died). */
  async sweep(): Promise<number> {
    let done = 0;
    for (let index = 0; index < SWEEP_BATCH; index++) {
      const event = await this.store.claimDue();
      if (!event) break;
      await this.attempt(event);
      done++;
    }
    return done;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.background.settled();
  }

  /** One attempt; never throws: the outcome, or the failure with its reason, goes on the event. */
  async attempt(event: WebhookEvent): Promise<void> {
    try {
      await this.store.finish(event.id, await this.work(event));
    } catch (error) {
      const reason = reasonOf(error);
      this.logger.warn(`Webhook event ${event.id} (${event.event}) failed, attempt ${event.attempts}: ${reason}`);
      await this.store.fail(event, reason).catch((storeError: Error) => this.logger.error(`Webhook event ${event.id}: ${storeError.message}`));
    }
  }

  private async work(event: WebhookEvent): Promise<EventOutcome> {
    if (event.kind === 'generic') {
      // Only a wanted call's queueing can have failed, so a retry queues it.
      const queued = await this.calls.queueIfWanted({ callId: event.callId!, created: false, autoProcess: true });
      return { status: 'processed', outcome: queued ? `call ${event.callId} queued` : `call ${event.callId} not queued`, callId: event.callId };
    }
    if (event.event === 'ONVOXIMPLANTCALLEND') return this.callEnded(event.externalId!);
    if (event.event === 'ONCRMACTIVITYADD') return this.activityAdded(Number(event.externalId));
    return { status: 'ignored', outcome: `${event.event} is not handled` };
  }

  private async callEnded(bitrixCallId: string): Promise<EventOutcome> {
    const result = await this.callSync.syncCall(bitrixCallId);
    if (!result) return { status: 'ignored', outcome: `call ${bitrixCallId} is not in the portal's statistics` };
    return { status: 'processed', outcome: `call ${result.callId} stored${result.queued ? ' and queued' : ''}`, callId: result.callId };
  }

  private async activityAdded(activityId: number): Promise<EventOutcome> {
    const chat = await this.chatSync.syncActivity(activityId);
    if (!chat) return { status: 'ignored', outcome: `activity ${activityId} is not an Open Lines session` };
    return { status: 'processed', outcome: `chat ${chat.chatId} synced`, chatId: chat.chatId };
  }
}

function genericOutcome(call: StoredGenericCall, queued: boolean): EventOutcome {
  const what = call.created ? `call ${call.callId} created` : `call ${call.callId} updated (externalId seen before)`;
  return { status: call.created ? 'processed' : 'duplicate', outcome: `${what}${queued ? ', queued' : ''}`, callId: call.callId };
}

function reasonOf(error: unknown): string {
  if (error instanceof IntegrationError) return `${error.integration}: ${error.message}`;
  return (error as Error)?.message ?? String(error);
}
