import { accessSync, chmodSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';

/** ffmpeg from the npm package that ships it, or the system one. */
export function ffmpegBinary(): string {
  return packagedBinary('@ffmpeg-installer/linux-x64', 'ffmpeg');
}

export function ffprobeBinary(): string {
  return packagedBinary('@ffprobe-installer/linux-x64', 'ffprobe');
}

/** The packaged binary (made executable when the package manager left it without the bit), else the system one. */
function packagedBinary(packageName: string, name: string): string {
  try {
    const path = join(require.resolve(`${packageName}/package.json`), '..', name);
    if (!existsSync(path)) return name;
    try {
      accessSync(path, constants.X_OK);
    } catch {
      chmodSync(path, 0o755);
    }
    return path;
  } catch {
    return name;
  }
}
