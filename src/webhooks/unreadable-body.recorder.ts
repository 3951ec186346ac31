import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { remoteAddress } from './webhooks.controller';
import { TooManyWrongTokens, WebhookAuth } from './webhook-auth';
import { WebhookIntake } from './webhook-intake';

const WEBHOOK_PATH = /\/webhooks\/incoming\/([^/?#]+)\/?$/i;

interface BodyParserError {
  type?: string;
  status?: number;
}

/**
 * Bad JSON and oversized bodies are refused by the body parser before any route runs. For the incoming webhook
 * this error handler (mounted before Nest's own) answers a wrong token as the route would (404/429) and, for a
 * valid one, leaves a `rejected` record before the usual 400/413 goes out.
 */
@Injectable()
export class UnreadableBodyRecorder implements OnModuleInit {
  private readonly logger = new Logger('IncomingWebhook');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly auth: WebhookAuth,
    private readonly intake: WebhookIntake,
  ) {}

  onModuleInit(): void {
    const app = this.adapterHost.httpAdapter?.getInstance?.() as { use?: (handler: unknown) => void } | undefined;
    app?.use?.((error: BodyParserError, request: Request, _response: Response, next: NextFunction) => {
      const match = WEBHOOK_PATH.exec(request.path);
      if (!match || !error?.type?.startsWith('entity.')) return next(error);
      void this.handle(error, decodeURIComponent(match[1]), request).then(next, next);
    });
  }

  private async handle(error: BodyParserError, token: string, request: Request): Promise<unknown> {
    const address = remoteAddress(request);
    try {
      this.auth.assertPathToken(token, address);
    } catch (refusal) {
      if (refusal instanceof TooManyWrongTokens) setRetryAfter(request, refusal.retryAfterSec);
      return refusal;
    }
    const reason = error.type === 'entity.too.large' ? 'Request body is too large' : 'Request body is not valid JSON';
    await this.intake.recordUnreadable(reason, address).catch((storeError: Error) => this.logger.error(`Could not record a refused event: ${storeError.message}`));
    return error;
  }
}

function setRetryAfter(request: Request, seconds: number): void {
  request.res?.setHeader('Retry-After', String(seconds));
}
