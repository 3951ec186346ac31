import { addDays, formatLocalDate, localDateOf, startOfLocalDay, weekday } from '../common/time-zone';
import type { ReportSettings } from '../settings/settings.types';

export interface DueDigest {
  kind: 'daily' | 'weekly';
  /** The local day the digest is for (daily) or sent on (weekly): part of its dedupe key. */
  day: string;
  /** Inclusive days it covers, in the zone. */
  from: string;
  to: string;
}

/**
 * Digests whose local time has come today: the daily one covers today, the weekly one (on its weekday)
 * the seven days before. Whether one was already sent is the caller's business (a dedupe key per day).
 */
export function dueDigests(now: Date, settings: ReportSettings, timeZone: string): DueDigest[] {
  const today = localDateOf(now, timeZone);
  const day = formatLocalDate(today);
  const reached = (time: string) => {
    const [hours, minutes] = time.split(':').map(Number);
    return now.getTime() >= startOfLocalDay(today, timeZone, hours, minutes).getTime();
  };
  const due: DueDigest[] = [];
  if (settings.dailyDigestEnabled && reached(settings.dailyDigestTime)) due.push({ kind: 'daily', day, from: day, to: day });
  if (settings.weeklyDigestEnabled && weekday(today) === settings.weeklyDigestDay && reached(settings.weeklyDigestTime)) {
    due.push({ kind: 'weekly', day, from: formatLocalDate(addDays(today, -7)), to: formatLocalDate(addDays(today, -1)) });
  }
  return due;
}
