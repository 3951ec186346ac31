import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import { clientMessage } from '../common/http-error.filter';
import { remoteAddress } from './webhooks.controller';
import { TooManyWrongTokens, WebhookAuth } from './webhook-auth';
import { WebhookIntake } from './webhook-intake';

const WEBHOOK_PATH = /\/webhooks\/incoming\/([^/?#]+)\/?$/i;

interface RequestError {
  type?: string;
  status?: number;
  message: string;
}

/** The body parser's errors (a bad, deep or large body) and the router's for a token that is not percent-encoded right. */
function isUnreadableRequest(error: RequestError | undefined): error is RequestError {
  return (typeof error?.type === 'string' && error.status !== undefined && error.status < 500) || error instanceof URIError;
}

/** The path token, or undefined when it cannot be decoded: a wrong token like any other. */
function decodeToken(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Bad JSON, oversized or too deeply nested bodies are refused by the body parser before any route runs, and a path
 * token that is not percent-encoded right by the router. For the incoming webhook this error handler (mounted before
 * Nest's own) answers a wrong token as the route would (404/429) and, for a valid one, leaves a `rejected` record
 * before the usual 400/413 goes out.
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
    app?.use?.((error: RequestError, request: Request, _response: Response, next: NextFunction) => {
      const match = WEBHOOK_PATH.exec(request.path);
      if (!match || !isUnreadableRequest(error)) return next(error);
      void this.handle(error, decodeToken(match[1]), request).then(next, next);
    });
  }

  private async handle(error: RequestError, token: string | undefined, request: Request): Promise<unknown> {
    const address = remoteAddress(request);
    try {
      this.auth.assertPathToken(token, address);
    } catch (refusal) {
      if (refusal instanceof TooManyWrongTokens) setRetryAfter(request, refusal.retryAfterSec);
      return refusal;
    }
    await this.intake.recordUnreadable(clientMessage(error, error.status ?? 400), address)
      .catch((storeError: Error) => this.logger.error(`Could not record a refused event: ${storeError.message}`));
    return error;
  }
}

function setRetryAfter(request: Request, seconds: number): void {
  request.res?.setHeader('Retry-After', String(seconds));
}
