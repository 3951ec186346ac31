import { spawn } from 'node:child_process';
import { join } from 'node:path';

const MB = 1024 * 1024;

describe('the request log', () => {
  it('keeps a bounded backlog when nobody reads standard output, instead of growing the heap', async () => {
    const child = spawn(process.execPath, ['--expose-gc', join(__dirname, '..', 'support', 'ts-process.js'), join(__dirname, 'stalled-log-process.ts')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pause();
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    await new Promise((resolve) => child.once('exit', resolve));

    const heapUsed = Number(/heapUsed (\d+)/.exec(errors)?.[1]);
    expect(heapUsed).toBeGreaterThan(0);
    expect(heapUsed).toBeLessThan(48 * MB);
  });
});
