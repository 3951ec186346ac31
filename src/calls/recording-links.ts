import { createHmac, hash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { safeEqual } from '../common/safe-equal';

const LINK_LIFETIME_SEC = 6 * 3600;
/**
 * Links made within one window share their expiry, so a call keeps the same link for that long: the browser
 * reuses the audio it already fetched, and each link is signed once per window instead of on every page.
 */
const LINK_WINDOW_SEC = 600;
const MAX_KEPT_LINKS = 20_000;
const SHA256_BLOCK = 64;

/**
 * HMAC-SHA256 (RFC 2104) over one-shot hashes, its padded keys computed once: several times cheaper
 * than `createHmac`, which sets up a keyed context on every call, and a page of calls signs many links.
 */
export class Sha256Signer {
  private readonly innerPad: Uint8Array;
  private readonly outerPad: Uint8Array;

  constructor(key: Buffer) {
    const block = Buffer.alloc(SHA256_BLOCK);
    (key.length > SHA256_BLOCK ? hash('sha256', key, 'buffer') : key).copy(block);
    this.innerPad = block.map((byte) => byte ^ 0x36);
    this.outerPad = block.map((byte) => byte ^ 0x5c);
  }

  sign(message: string): string {
    const inner = hash('sha256', Buffer.concat([this.innerPad, Buffer.from(message)]), 'buffer');
    return hash('sha256', Buffer.concat([this.outerPad, inner]), 'base64url');
  }
}

/**
 * Signed, expiring audio links: an `<audio>` tag cannot send the Bearer token, so `recordUrl`
 * carries `?token=<expiry>.<signature>` that the audio route accepts instead.
 */
@Injectable()
export class RecordingLinks {
  private readonly signer: Sha256Signer;
  private window = { expires: 0, urls: new Map<number, string>() };

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.signer = new Sha256Signer(createHmac('sha256', config.apiToken ?? 'open-api').update('recording-links').digest());
  }

  /** The call's audio link, valid for at least six hours and at most one window longer. */
  urlFor(callId: number, now = Date.now()): string {
    const expires = (Math.floor(now / 1000 / LINK_WINDOW_SEC) + 1) * LINK_WINDOW_SEC + LINK_LIFETIME_SEC;
    if (this.window.expires !== expires || this.window.urls.size >= MAX_KEPT_LINKS) this.window = { expires, urls: new Map() };
    let url = this.window.urls.get(callId);
    if (!url) {
      url = `${this.config.publicBaseUrl}/api/calls/${callId}/audio?token=${expires}.${this.sign(callId, expires)}`;
      this.window.urls.set(callId, url);
    }
    return url;
  }

  isValid(callId: number, token: string | undefined, now = Date.now()): boolean {
    const match = /^(\d{1,12})\.([\w-]{43})$/.exec(token ?? '');
    if (!match) return false;
    const expires = Number(match[1]);
    return expires * 1000 > now && safeEqual(match[2], this.sign(callId, expires));
  }

  private sign(callId: number, expires: number): string {
    return this.signer.sign(`${callId}:${expires}`);
  }
}
