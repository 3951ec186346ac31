import { BadRequestException, ForbiddenException, Injectable, Logger } from '@nestjs/common';
import { parseBitrixEventBody, readCallEndEvent } from '../integrations/bitrix/bitrix-event';
import { isRowIdText } from '../common/row-id';
import { findUnstorableText, unstorableTextError } from '../common/storable-text';
import { createValidationPipe } from '../common/validation';
import { GenericCallEventDto, WebhookReplyDto } from './dto/generic-call-event.dto';
import { GenericCallEvents } from './generic-call-events';
import { isObject, redactPayload } from './payload-redaction';
import { WebhookAuth } from './webhook-auth';
import { WebhookEventProcessor } from './webhook-event.processor';
import { WebhookEventStore } from './webhook-event.store';

export const CALL_END_EVENT = 'ONVOXIMPLANTCALLEND';
export const ACTIVITY_ADD_EVENT = 'ONCRMACTIVITYADD';
/** The size of `calls.external_id`, where a Bitrix24 CALL_ID is kept. */
const MAX_EXTERNAL_ID_LENGTH = 128;

/**
 * What arrives at the incoming webhook (the path token already checked): validated, stored with its outcome,
 * and answered at once. Bitrix24 events are worked on after the reply, by the processor.
 */
@Injectable()
export class WebhookIntake {
  private readonly logger = new Logger('IncomingWebhook');
  private readonly validation = createValidationPipe();

  constructor(
    private readonly auth: WebhookAuth,
    private readonly store: WebhookEventStore,
    private readonly calls: GenericCallEvents,
    private readonly processor: WebhookEventProcessor,
  ) {}

  async receive(body: unknown, contentType: string | undefined, address: string): Promise<WebhookReplyDto> {
    const raw = isObject(body) ? body : {};
    const kind = isBitrixEvent(raw, contentType) ? 'bitrix' : 'type' in raw ? 'generic' : 'unknown';
    const unstorable = findUnstorableText(raw);
    // Text PostgreSQL cannot hold is not stored even in the record of the refusal.
    if (unstorable) return this.reject(kind, null, null, address, unstorableTextError(unstorable));
    if (kind === 'bitrix') return this.receiveBitrix(parseBitrixEventBody(raw), address);
    if (kind === 'generic') return this.receiveGeneric(raw, address);
    return this.reject('unknown', null, raw, address, new BadRequestException(
      'The body must be a call event with "type": "call" (JSON) or a Bitrix24 event with "event" (form-encoded)',
    ));
  }

  /** A body refused before it could be read (bad JSON, too large) still leaves a record. */
  async recordUnreadable(reason: string, address: string): Promise<void> {
    await this.store.add({ kind: 'unknown', event: null, remoteAddress: address, payload: null, status: 'rejected', outcome: reason });
  }

  private async receiveGeneric(raw: Record<string, unknown>, address: string): Promise<WebhookReplyDto> {
    let event: GenericCallEventDto;
    try {
      event = (await this.validation.transform(raw, { type: 'body', metatype: GenericCallEventDto })) as GenericCallEventDto;
      this.calls.assertSafeRecordUrl(event.recordUrl);
    } catch (error) {
      return this.reject('generic', typeof raw.type === 'string' ? raw.type : null, raw, address, error as Error);
    }
    const stored = await this.store.add({
      kind: 'generic', event: 'call', remoteAddress: address, status: 'accepted', leased: true,
      payload: redactPayload({ ...event }), externalId: event.externalId ?? null,
    });
    const call = await this.calls.store(event).catch(async (error: Error) => {
      await this.store.giveUp(stored.id, `the call could not be stored: ${error.message}`);
      throw error;
    });
    const queued = await this.processor.finishGenericCall(stored, call);
    return { ok: true, eventId: stored.id, status: queued.status, callId: call.callId, created: call.created, queued: queued.queued };
  }

  private async receiveBitrix(parsed: Record<string, unknown>, address: string): Promise<WebhookReplyDto> {
    const name = String(parsed.event ?? '').toUpperCase();
    const auth = (isObject(parsed.auth) ? parsed.auth : {}) as Record<string, unknown>;
    if (!this.auth.isValidApplicationToken(auth.application_token)) {
      this.logger.warn(`Bitrix24 event ${name} from ${address} with a wrong application_token`);
      return this.reject('bitrix', name, parsed, address, new ForbiddenException(), 'wrong application_token');
    }
    if (name === CALL_END_EVENT) return this.acceptCallEnd(parsed, address);
    if (name === ACTIVITY_ADD_EVENT) return this.acceptActivityAdd(parsed, address);
    const ignored = await this.store.add({
      kind: 'bitrix', event: name || null, remoteAddress: address, payload: redactPayload(parsed), status: 'ignored',
      outcome: `${name || 'an event without a name'} is not handled`,
    });
    return { ok: true, eventId: ignored.id, status: 'ignored' };
  }

  private async acceptCallEnd(parsed: Record<string, unknown>, address: string): Promise<WebhookReplyDto> {
    const callEnd = readCallEndEvent(parsed);
    if (!callEnd) return this.reject('bitrix', CALL_END_EVENT, parsed, address, new BadRequestException('data[CALL_ID] is required'));
    if (callEnd.callId.length > MAX_EXTERNAL_ID_LENGTH) {
      return this.reject('bitrix', CALL_END_EVENT, parsed, address, new BadRequestException(`data[CALL_ID]: must be at most ${MAX_EXTERNAL_ID_LENGTH} characters`));
    }
    return this.accept(CALL_END_EVENT, parsed, address, callEnd.callId);
  }

  private async acceptActivityAdd(parsed: Record<string, unknown>, address: string): Promise<WebhookReplyDto> {
    const data = isObject(parsed.data) ? parsed.data : {};
    const fields = isObject(data.FIELDS) ? data.FIELDS : {};
    const id = String(fields.ID ?? '');
    if (!isRowIdText(id)) return this.reject('bitrix', ACTIVITY_ADD_EVENT, parsed, address, new BadRequestException('data[FIELDS][ID] must be an activity id'));
    return this.accept(ACTIVITY_ADD_EVENT, parsed, address, id);
  }

  private async accept(name: string, parsed: Record<string, unknown>, address: string, externalId: string): Promise<WebhookReplyDto> {
    const stored = await this.store.add({
      kind: 'bitrix', event: name, remoteAddress: address, payload: redactPayload(parsed), status: 'accepted', leased: true, externalId,
    });
    this.processor.startSoon(stored);
    return { ok: true, eventId: stored.id, status: 'accepted' };
  }

  /** Stores the refused event (credentials removed) and answers with the error. */
  private async reject(
    kind: 'generic' | 'bitrix' | 'unknown', name: string | null, payload: Record<string, unknown> | null, address: string, error: Error, reason?: string,
  ): Promise<never> {
    await this.store.add({ kind, event: name, remoteAddress: address, payload: payload && redactPayload(payload), status: 'rejected', outcome: reason ?? error.message });
    throw error;
  }
}

function isBitrixEvent(raw: Record<string, unknown>, contentType: string | undefined): boolean {
  const form = (contentType ?? '').toLowerCase().includes('application/x-www-form-urlencoded');
  return 'event' in raw || (form && !('type' in raw));
}
