/**
 * Runs `shutdown` on the first SIGTERM or SIGINT, in place of any other handler: the database must outlive the
 * requests and jobs still running, so the caller stops it last.
 */
export function onShutdownSignal(shutdown: (signal: string) => Promise<void>): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => void shutdown(signal));
  }
}
