import type { RunningDatabase } from '../../src/database/embedded-database';

export default async function globalTeardown(): Promise<void> {
  const database = (globalThis as { __testDatabase?: RunningDatabase }).__testDatabase;
  await database?.stop();
}
