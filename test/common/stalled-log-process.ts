/*
 * Writes 64 MB of log lines through the service's log destination while nobody reads standard output, then
 * reports the heap in use (after a full collection) on standard error and ends at once (an exit would flush the log,
 * waiting for a reader that never comes). Run by log-backlog.e2e-spec.ts.
 */
import type pino from 'pino';
import { loggerParams } from '../../src/common/logging';

const destination = (loggerParams('info').pinoHttp as [unknown, pino.DestinationStream])[1];
const padding = 'x'.repeat(32 * 1024);
for (let written = 0, id = 0; written < 64 * 1024 * 1024; id++) {
  const line = `${JSON.stringify({ level: 30, msg: 'request completed', id, padding })}\n`;
  destination.write(line);
  written += line.length;
}
setTimeout(() => {
  (globalThis as { gc?: () => void }).gc?.();
  process.stderr.write(`heapUsed ${process.memoryUsage().heapUsed}\n`, () => process.kill(process.pid, 'SIGKILL'));
}, 500);
