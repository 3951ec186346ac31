/**
 * Runs `shutdown` on the first SIGTERM or SIGINT. The embedded database package stops its server at the
 * first signal; the server must outlive the requests and jobs still running, so this handler replaces that
 * one and the caller stops the database last.
 */
export function onShutdownSignal(shutdown: (signal: string) => Promise<void>): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => void shutdown(signal));
  }
}
