import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Makes DATA_DIR readable by its owner only: the directory itself (0700) and whatever an earlier version left
 * open in it (`recordings/` was 0755). With `passThroughGroup` (the `postgres` group, as root) the directory is
 * 0710 with that group, so the server can reach its cluster inside without listing or reading anything else.
 */
export function secureDataDir(dataDir: string, passThroughGroup?: number): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const owner = process.getuid?.();
  for (const entry of readdirSync(dataDir)) {
    const path = join(dataDir, entry);
    const stat = lstatSync(path);
    if (stat.uid === owner && !stat.isSymbolicLink() && stat.mode & 0o077) chmodSync(path, stat.mode & 0o700);
  }
  if (passThroughGroup !== undefined) chownSync(dataDir, lstatSync(dataDir).uid, passThroughGroup);
  chmodSync(dataDir, passThroughGroup === undefined ? 0o700 : 0o710);
}
