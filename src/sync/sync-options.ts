/** Tunables of the calls sync that are not settings: fixed in production, shortened by tests. */
export class SyncOptions {
  /** An HTTP trigger waits this long for the run, then answers 202 and the run goes on. */
  replyWaitMs = 25_000;
  /** A call without a recording is looked at again for this long after it ended, then skipped. */
  awaitingRecordingMs = 24 * 3_600_000;
  /** Progress is logged at most this often during a long run. */
  progressLogMs = 10_000;
}
