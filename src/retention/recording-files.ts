import { opendir, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';

export const RECORDINGS_DIR = 'recordings';
const STAT_BATCH = 64;

/** Absolute path of a stored recording, or undefined when the path would leave `DATA_DIR`. */
export function recordingFile(dataDir: string, recordingPath: string): string | undefined {
  const path = isAbsolute(recordingPath) ? resolve(recordingPath) : resolve(dataDir, recordingPath);
  const inside = relative(resolve(dataDir), path);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? path : undefined;
}

/** Removes a recording; a file that is already gone counts as removed. */
export async function removeRecording(dataDir: string, recordingPath: string | null): Promise<boolean> {
  const path = recordingPath ? recordingFile(dataDir, recordingPath) : undefined;
  if (!path) return false;
  await rm(path, { force: true });
  return true;
}

export interface DiskUsage {
  bytes: number;
  files: number;
}

/** Walks a directory tree with streaming reads and batched stats, so the event loop stays free. */
export async function diskUsage(directory: string): Promise<DiskUsage> {
  const total: DiskUsage = { bytes: 0, files: 0 };
  const pending: string[] = [];
  const flush = async () => {
    const sizes = await Promise.all(pending.splice(0).map((path) => stat(path).then((info) => info.size).catch(() => undefined)));
    for (const size of sizes) if (size !== undefined) Object.assign(total, { bytes: total.bytes + size, files: total.files + 1 });
  };
  const walk = async (dir: string): Promise<void> => {
    const entries = await opendir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!entries) return;
    for await (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) pending.push(path);
      if (pending.length >= STAT_BATCH) await flush();
    }
  };
  await walk(directory);
  await flush();
  return total;
}
