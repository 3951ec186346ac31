/** The time the sync reasons with (backfill window, late recordings, the schedule); tests move it. */
export abstract class SyncClock {
  abstract now(): Date;
}

export class SystemClock extends SyncClock {
  now(): Date {
    return new Date();
  }
}
