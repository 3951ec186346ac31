import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { safeEqual } from '../common/safe-equal';

const LINK_LIFETIME_SEC = 6 * 3600;

/**
 * Signed, expiring audio links: an `<audio>` tag cannot send the Bearer token, so `recordUrl`
 * carries `?token=<expiry>.<signature>` that the audio route accepts instead.
 */
@Injectable()
export class RecordingLinks {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.key = createHmac('sha256', config.apiToken ?? 'open-api').update('recording-links').digest();
  }

  urlFor(callId: number, now = Date.now()): string {
    const expires = Math.floor(now / 1000) + LINK_LIFETIME_SEC;
    return `${this.config.publicBaseUrl}/api/calls/${callId}/audio?token=${expires}.${this.sign(callId, expires)}`;
  }

  isValid(callId: number, token: string | undefined, now = Date.now()): boolean {
    const match = /^(\d{1,12})\.([\w-]{43})$/.exec(token ?? '');
    if (!match) return false;
    const expires = Number(match[1]);
    return expires * 1000 > now && safeEqual(match[2], this.sign(callId, expires));
  }

  private sign(callId: number, expires: number): string {
    return createHmac('sha256', this.key).update(`${callId}:${expires}`).digest('base64url');
  }
}
