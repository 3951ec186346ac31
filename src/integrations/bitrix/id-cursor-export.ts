import { IntegrationError } from '../../common/errors';
import type { BitrixTransport } from './bitrix-transport';
import { encodePhpQuery, PhpValue } from './php-query';
import { sleep } from './rate-limiter';

/** Bitrix24 list methods return at most 50 rows per call, whatever is asked. */
export const PAGE_SIZE = 50;
export const MAX_BATCH_COMMANDS = 50;

export interface VerifiedPage<T> {
  rows: T[];
  /** ID of the last row: the cursor to store and resume from. */
  lastId: number;
}

export interface CursorQuery {
  method: string;
  /** Params for one page after `cursor`: a number, or a `$result[...]` reference to the previous page. */
  params(cursor: number | string): Record<string, PhpValue>;
}

interface Row {
  ID: string | number;
}

/**
 * The fast export of reference §3.2: ID ascending, `>ID` cursor, `start=-1`, and one `batch` of chained
 * commands so a request brings up to 50 pages. A chained reference silently turns into garbage after a
 * short page or a failed sub-call, so a page is yielded only if its IDs continue the chain.
 */
export async function* exportAfter<T extends Row>(
  transport: BitrixTransport,
  query: CursorQuery,
  cursor: number,
  commandsPerBatch = MAX_BATCH_COMMANDS,
): AsyncGenerator<VerifiedPage<T>> {
  let lastId = cursor;
  let failures = 0;
  for (;;) {
    const keys = Array.from({ length: commandsPerBatch }, (_, index) => `p${index}`);
    const outcome = await transport.batch(chainedCommands(query, keys, lastId), true);
    const before = lastId;
    let stop: PageOutcome<T> = 'broken';
    for (const key of keys) {
      stop = pageOutcome<T>(transport, query.method, outcome, key, lastId);
      if (stop === 'broken' || stop instanceof IntegrationError) break;
      const rows = stop.rows;
      if (rows.length > 0) {
        lastId = Number(rows[rows.length - 1].ID);
        yield { rows, lastId };
      }
      if (rows.length < PAGE_SIZE) return;
    }
    if (stop instanceof IntegrationError) {
      if (lastId > before) failures = 0;
      if (!stop.retryable || failures >= transport.retryLimit) throw stop;
      await sleep(transport.backoffFor(stop, failures++));
    } else if (stop === 'broken' && lastId === before) {
      throw new IntegrationError('bitrix', 'bad_response', `Bitrix24 ${query.method}: a page after ID ${lastId} is out of ID order`);
    }
  }
}

function chainedCommands(query: CursorQuery, keys: string[], lastId: number): Record<string, string> {
  const commands: Record<string, string> = {};
  keys.forEach((key, index) => {
    const cursor = index === 0 ? lastId : `$result[${keys[index - 1]}][${PAGE_SIZE - 1}][ID]`;
    commands[key] = `${query.method}?${encodePhpQuery(query.params(cursor))}`;
  });
  return commands;
}

type PageOutcome<T> = { rows: T[] } | IntegrationError | 'broken';

function pageOutcome<T extends Row>(
  transport: BitrixTransport,
  method: string,
  outcome: Awaited<ReturnType<BitrixTransport['batch']>>,
  key: string,
  lastId: number,
): PageOutcome<T> {
  const error = outcome.errors[key];
  if (error) return transport.subCallError(method, error);
  const rows = outcome.result[key];
  if (!Array.isArray(rows) || !continuesChain(rows as T[], lastId)) return 'broken';
  return { rows: rows as T[] };
}

function continuesChain(rows: Row[], lastId: number): boolean {
  let previous = lastId;
  for (const row of rows) {
    const id = Number(row?.ID);
    if (!Number.isSafeInteger(id) || id <= previous) return false;
    previous = id;
  }
  return true;
}
