import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import pino from 'pino';

/** Incoming-webhook path tokens and signed audio tokens never reach a log line; routing ignores case, so does this. */
export function maskUrl(url: string | undefined): string {
  return (url ?? '')
    .replace(/(\/webhooks\/incoming\/)[^/?#]+/gi, '$1***')
    .replace(/([?&](?:token|auth)=)[^&#]*/gi, '$1***')
    .replace(/(\/rest\/\d+\/)[^/?#]+/gi, '$1***');
}

let stdout: pino.DestinationStream | undefined;
const LOG_BACKLOG_BYTES = 16 * 1024 * 1024;

/**
 * Standard output written asynchronously: under load, log lines are batched instead of one write each. Lines wait
 * in memory while the reader (a terminal, a log collector) is slow; past 16 MB of them, new lines are dropped
 * rather than growing the heap until the process dies.
 */
function asyncStdout(): pino.DestinationStream {
  return (stdout ??= pino.destination({ dest: 1, sync: false, maxLength: LOG_BACKLOG_BYTES }));
}

/** Request logging as the service runs it; `destination` is standard output unless a test reads the lines. */
export function loggerParams(level: string, destination: pino.DestinationStream = asyncStdout()): Params {
  return {
    pinoHttp: [{
      level,
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      serializers: {
        req: (req: IncomingMessage & { id?: string; raw?: IncomingMessage }) => ({
          id: req.id,
          method: req.method,
          url: maskUrl(req.url),
          remoteAddress: req.raw?.socket?.remoteAddress ?? req.socket?.remoteAddress,
        }),
        res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.apiKey', '*.botToken', '*.webhookUrl'], censor: '[redacted]' },
      autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/api/health') },
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    }, destination],
  };
}
