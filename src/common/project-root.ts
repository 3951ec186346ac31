import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The folder holding package.json and python/, whether running from src/ or from dist/. */
export function projectRoot(start = __dirname): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}
