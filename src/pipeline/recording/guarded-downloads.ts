import { Agent, Dispatcher, request } from 'undici';
import { StageError } from '../pipeline-errors';
import { UnsafeUrlError, UrlGuard } from './ssrf-guard';

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DEFAULT_HEADERS = { 'user-agent': 'ai-crm-analytics/1.0', accept: 'audio/*, */*;q=0.5' };

export interface Download extends Pick<Dispatcher.ResponseData, 'statusCode' | 'headers' | 'body'> {
  /** Where the answer came from, after redirects. */
  url: URL;
}

/**
 * The one way the service GETs a URL it was handed (a provider's recording link, a Bitrix24 Drive link, a webhook's
 * `recordUrl`): every hop of a redirect is checked again, and a name's address is checked when connecting.
 */
export class GuardedDownloads {
  constructor(private readonly guard: UrlGuard, private readonly timeoutMs: number) {}

  /** The first answer that is not a redirect; the caller reads or dumps its body. */
  async get(raw: string, headers: Record<string, string> = {}): Promise<Download> {
    let url = this.guard.check(raw);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const response = await this.once(url, headers);
      const location = response.headers.location;
      if (!REDIRECT_STATUSES.has(response.statusCode) || typeof location !== 'string') return { url, ...response };
      await response.body.dump();
      url = this.guard.check(URL.parse(location, url)?.href ?? location);
    }
    throw new StageError(`The recording URL at ${url.host} redirected more than ${MAX_REDIRECTS} times`, false);
  }

  private async once(url: URL, headers: Record<string, string>): Promise<Dispatcher.ResponseData> {
    const agent = new Agent({ connect: { lookup: this.guard.lookupFor(url) } });
    try {
      return await request(url, {
        dispatcher: agent,
        headers: { ...DEFAULT_HEADERS, ...headers },
        headersTimeout: Math.min(60_000, this.timeoutMs),
        bodyTimeout: Math.min(60_000, this.timeoutMs),
      });
    } catch (error) {
      throw unreachable(url, error);
    } finally {
      // Closing waits for the answer's body to be read; the agent takes no further requests.
      void agent.close();
    }
  }
}

function unreachable(url: URL, error: unknown): Error {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof UnsafeUrlError) return cause;
  if (error instanceof UnsafeUrlError) return error;
  const code = (error as { code?: string }).code ?? (error as Error).name;
  return new StageError(`The recording host ${url.host} could not be reached (${code})`, true);
}
