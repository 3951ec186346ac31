import { formatLocalDate, localDateOf, startOfLocalDay } from '../../src/common/time-zone';

/** The calendar date of an instant in a zone, straight from Intl. */
const reference = (instant: Date, timeZone: string) => instant.toLocaleDateString('en-CA', { timeZone });

describe('localDateOf', () => {
  const zones = ['Europe/Moscow', 'America/New_York', 'Asia/Kathmandu', 'Pacific/Apia'];
  // Every 17 minutes over a DST change in New York (2026-03-08) and midnights in every zone, forwards then backwards.
  const start = Date.UTC(2026, 2, 7, 0, 0);
  const instants = Array.from({ length: 300 }, (_, index) => new Date(start + index * 17 * 60_000));

  it.each(zones)('gives the local calendar date in %s as the clock moves forwards and back', (zone) => {
    for (const instant of [...instants, ...[...instants].reverse()]) {
      expect(formatLocalDate(localDateOf(instant, zone))).toBe(reference(instant, zone));
    }
  });

  it('changes the date exactly at local midnight', () => {
    const midnight = startOfLocalDay({ year: 2026, month: 11, day: 24 }, 'Europe/Moscow');
    expect(midnight.toISOString()).toBe('2026-11-23T21:00:00.000Z');
    expect(formatLocalDate(localDateOf(new Date(midnight.getTime() - 1), 'Europe/Moscow'))).toBe('2026-11-23');
    expect(formatLocalDate(localDateOf(midnight, 'Europe/Moscow'))).toBe('2026-11-24');
  });

  it('returns a copy the caller may change', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    const date = localDateOf(now, 'Europe/Moscow');
    date.day = 1;
    expect(localDateOf(now, 'Europe/Moscow').day).toBe(24);
  });
});
