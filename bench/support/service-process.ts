import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const MAIN = join(__dirname, '..', '..', 'src', 'main.js');

/** The node options `npm run start:prod` gives the service (its heap limits). */
export function productionNodeOptions(): string[] {
  const packageJson = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  return packageJson.scripts['start:prod'].split(' ').filter((word) => word.startsWith('--'));
}

/**
 * The built service (`npm run bench:build`) in a child process of its own, so the load tool does not share its
 * event loop; resolved once `/api/health` answers. With `ipc`, the child can send messages to this process.
 */
export async function startServiceProcess(port: number, env: Record<string, string>, nodeOptions: string[] = [], ipc = false): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeOptions, MAIN], {
    env: { ...process.env, PORT: String(port), API_TOKEN: '', ...env },
    stdio: ['ignore', 'ignore', 'inherit', ...(ipc ? ['ipc' as const] : [])],
  });
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await fetch(`http://127.0.0.1:${port}/api/health`).then((res) => res.ok, () => false)) return child;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill();
  throw new Error('the service did not start');
}

export async function stopServiceProcess(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
