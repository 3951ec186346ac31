import type { NextFunction, Request, Response } from 'express';

/**
 * JSON and form bodies nested deeper than this (objects and arrays inside each other) are refused before any
 * route runs: no request here needs more than a few levels, and validating, copying or storing a body nested
 * thousands deep would exhaust the stack.
 */
export const MAX_BODY_DEPTH = 32;

/** Refused like the body parser's own errors: with a status, a type the webhook's recorder knows, and a safe message. */
export class BodyTooDeepError extends Error {
  readonly status = 400;
  readonly expose = true;
  readonly type = 'entity.too.deep';

  constructor() {
    super(`Request body is nested more than ${MAX_BODY_DEPTH} levels deep`);
  }
}

function deeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  for (const item of Object.values(value)) {
    if (deeperThan(item, levels - 1)) return true;
  }
  return false;
}

/** Middleware after the body parsers. */
export function limitBodyDepth(request: Request, _response: Response, next: NextFunction): void {
  next(deeperThan(request.body, MAX_BODY_DEPTH) ? new BodyTooDeepError() : undefined);
}
