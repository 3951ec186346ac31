import { HttpException, HttpStatus, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { safeEqual } from '../common/safe-equal';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { FailedTokenLimiter } from './failed-token-limiter';

export class TooManyWrongTokens extends HttpException {
  constructor(readonly retryAfterSec: number) {
    super('Too many requests', HttpStatus.TOO_MANY_REQUESTS);
  }
}

/** The path token and Bitrix24's `application_token`, both compared in constant time. */
@Injectable()
export class WebhookAuth {
  private readonly logger = new Logger('IncomingWebhook');
  private readonly limiter = new FailedTokenLimiter();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  isValidPathToken(token: string | undefined): boolean {
    const expected = this.config.webhookToken;
    return Boolean(expected && token && safeEqual(token, expected));
  }

  /** A wrong (or unconfigured) token is a 404 without detail; an address that keeps missing gets 429. */
  assertPathToken(token: string | undefined, address: string): void {
    if (this.isValidPathToken(token)) return;
    if (this.limiter.isLimited(address)) throw new TooManyWrongTokens(this.limiter.retryAfterSec(address));
    this.limiter.recordMiss(address);
    this.logger.warn(`Incoming webhook with a wrong token from ${address}`);
    throw new NotFoundException();
  }

  /** True when BITRIX_APP_TOKEN is unset or the event carries the same `auth[application_token]`. */
  isValidApplicationToken(given: unknown): boolean {
    const expected = this.config.bitrix.appToken;
    if (!expected) return true;
    return typeof given === 'string' && safeEqual(given, expected);
  }
}
