import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { BodyTooDeepError } from './body-depth';
import { IntegrationError } from './errors';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

const INTEGRATION_STATUS: Record<IntegrationError['failure'], number> = {
  not_configured: HttpStatus.SERVICE_UNAVAILABLE,
  auth: HttpStatus.BAD_GATEWAY,
  scope: HttpStatus.BAD_GATEWAY,
  not_found: HttpStatus.BAD_GATEWAY,
  bad_request: HttpStatus.BAD_GATEWAY,
  rate_limited: HttpStatus.SERVICE_UNAVAILABLE,
  unavailable: HttpStatus.BAD_GATEWAY,
  timeout: HttpStatus.BAD_GATEWAY,
  bad_response: HttpStatus.BAD_GATEWAY,
};

/** Body-parser and multer errors carry an HTTP status and a safe message. */
interface ClientError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  message: string;
}

/** One error format for every route; internals are logged, never returned. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const response = context.getResponse<Response>();
    const request = context.getRequest<Request & { id?: string }>();
    const body = this.toBody(exception, request);
    if (response.headersSent) {
      response.end();
      return;
    }
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, request: Request & { id?: string }): ErrorBody {
    if (exception instanceof HttpException) return fromHttpException(exception);
    if (exception instanceof IntegrationError) {
      return errorBody(INTEGRATION_STATUS[exception.failure], `${exception.integration}: ${exception.message}`);
    }
    const clientError = exception as ClientError;
    const status = clientError?.status ?? clientError?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return errorBody(status, clientMessage(clientError, status));
    }
    this.logger.error({ err: exception, requestId: request.id }, 'Unhandled error');
    return errorBody(500, `Internal server error (request ${request.id ?? 'unknown'})`);
  }
}

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

function fromHttpException(exception: HttpException): ErrorBody {
  const status = exception.getStatus();
  const cause = exception.cause as ClientError | undefined;
  if (cause?.type) return errorBody(status, clientMessage(cause, status));
  const response = exception.getResponse();
  if (typeof response === 'string') return errorBody(status, response);
  const message = (response as { message?: unknown }).message;
  const text = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
  return errorBody(status, text);
}

/** The message of a body parser's (or multer's) error, safe to answer and to record. */
export function clientMessage(error: ClientError, status: number): string {
  if (error.type === 'entity.too.large') return 'Request body is too large';
  if (error.type === 'entity.parse.failed') return 'Request body is not valid JSON';
  if (error.type === 'querystring.parse.rangeError') return new BodyTooDeepError().message;
  return error.expose === false ? (STATUS_CODES[status] ?? 'Bad request') : error.message;
}
