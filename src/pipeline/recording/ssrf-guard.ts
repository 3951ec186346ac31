import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/** Why a recording URL was refused. The message never names the path or query (they may carry secrets). */
export class UnsafeUrlError extends Error {
  /** The refused host, for the log: the operator allow-lists it from there. */
  constructor(message: string, readonly host?: string) {
    super(message);
  }
}

/**
 * Every refused destination gets these same words: the reason stored on a call must not tell apart
 * what was (or would have been) at an address that was never reached.
 */
const REFUSED_DESTINATION = 'Refusing to download the recording: the address is private, loopback or link-local, '
  + 'or a Bitrix24 Drive link leads away from the portal (trusted hosts go in DOWNLOAD_ALLOWED_HOSTS)';

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** Private, loopback, link-local, multicast or otherwise not a public internet address. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPrivateAddress(mapped[1]);
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Every download: http(s) only, and no private addresses unless the host (or `host:port`) is allow-listed. */
export class UrlGuard {
  private readonly allowed: Set<string>;

  constructor(allowedHosts: string[]) {
    this.allowed = new Set(allowedHosts.map((host) => host.toLowerCase()));
  }

  isAllowListed(url: URL): boolean {
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    return this.allowed.has(host) || this.allowed.has(url.host.toLowerCase());
  }

  /** Checks what can be checked before connecting; addresses behind names are checked at connect time by `lookup`. */
  check(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new UnsafeUrlError('The recording URL is not a valid URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UnsafeUrlError(`The recording URL must be http(s), not ${url.protocol.replace(':', '')}`);
    if (url.username || url.password) throw new UnsafeUrlError('The recording URL must not carry credentials');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!this.isAllowListed(url) && isIP(host) && isPrivateAddress(host)) throw refused(host);
    return url;
  }

  /**
   * A DNS lookup that refuses private addresses, for the HTTP agent: the address is checked at the moment
   * of connecting, so a name that resolves differently the second time (DNS rebinding) gains nothing.
   */
  lookupFor(url: URL): typeof dnsLookup {
    const trusted = this.isAllowListed(url);
    const guarded = (hostname: string, options: LookupOptions, callback: (error: Error | null, address: string | LookupAddress[], family?: number) => void) => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
        if (error) return callback(error, '');
        const unsafe = addresses.find((entry) => isPrivateAddress(entry.address));
        if (unsafe && !trusted) return callback(refused(hostname), '');
        if (options.all) return callback(null, addresses);
        callback(null, addresses[0].address, addresses[0].family);
      });
    };
    return guarded as unknown as typeof dnsLookup;
  }
}

export function refused(host: string): UnsafeUrlError {
  return new UnsafeUrlError(REFUSED_DESTINATION, host);
}
