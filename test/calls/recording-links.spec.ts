import { createHmac, randomBytes } from 'node:crypto';
import type { AppConfig } from '../../src/config/app-config';
import { RecordingLinks, Sha256Signer } from '../../src/calls/recording-links';

describe('Sha256Signer', () => {
  it.each([0, 16, 32, 64, 65, 200])('signs exactly as HMAC-SHA256 with a %i-byte key', (keyLength) => {
    const key = randomBytes(keyLength);
    const signer = new Sha256Signer(key);
    for (const message of ['', '17:1790000000', 'звонок №5', 'x'.repeat(300)]) {
      expect(signer.sign(message)).toBe(createHmac('sha256', key).update(message).digest('base64url'));
    }
  });
});

describe('RecordingLinks', () => {
  const links = (apiToken: string | undefined) => new RecordingLinks({ apiToken, publicBaseUrl: 'http://crm.local' } as AppConfig);
  const tokenOf = (url: string) => new URL(url).searchParams.get('token') ?? undefined;
  const now = Date.UTC(2026, 10, 24, 12, 3);
  const hours = (count: number) => count * 3600_000;

  it('accepts its own token for the same call for six hours, and not past the ten-minute window it was made in', () => {
    const signed = links('secret');
    const token = tokenOf(signed.urlFor(17, now));
    expect(signed.isValid(17, token, now + hours(6))).toBe(true);
    expect(signed.isValid(18, token, now)).toBe(false);
    expect(signed.isValid(17, token, Date.UTC(2026, 10, 24, 18, 10))).toBe(false);
  });

  it('gives a call the same link throughout a ten-minute window and a new one after it', () => {
    const signed = links('secret');
    const first = signed.urlFor(17, now);
    expect(signed.urlFor(18, now)).not.toBe(first);
    expect(signed.urlFor(17, Date.UTC(2026, 10, 24, 12, 9, 59))).toBe(first);
    const next = signed.urlFor(17, Date.UTC(2026, 10, 24, 12, 10));
    expect(next).not.toBe(first);
    expect(signed.isValid(17, tokenOf(next), Date.UTC(2026, 10, 24, 18, 15))).toBe(true);
  });

  it('refuses a token signed under another API token or altered by a character', () => {
    const token = tokenOf(links('secret').urlFor(17, now))!;
    expect(links('other').isValid(17, token, now)).toBe(false);
    const altered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect(links('secret').isValid(17, altered, now)).toBe(false);
  });
});
