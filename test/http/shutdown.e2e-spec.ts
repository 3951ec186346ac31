import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/database/embedded-database';

const ROOT = join(__dirname, '..', '..');

/** The service as `npm start` runs it, on its embedded database, in a process of its own. */
async function startService(dataDir: string, port: number): Promise<{ child: ChildProcess; output: () => string }> {
  const env = { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info', API_TOKEN: '', ROLE: 'api' };
  const child = spawn(process.execPath, [join(ROOT, 'test', 'support', 'ts-process.js'), join(ROOT, 'src', 'main.ts')], { cwd: dataDir, env });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 90_000;
  while (!output.includes('Listening on')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the service did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { child, output: () => output };
}

describe('graceful shutdown', () => {
  it('finishes a request in flight on SIGTERM, then stops the embedded database and exits cleanly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'crm-shutdown-'));
    chmodSync(dataDir, 0o755);
    const port = await freePort();
    const { child, output } = await startService(dataDir, port);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    const body = JSON.stringify({ timeZone: 'Asia/Yekaterinburg' });
    const inFlight = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/settings', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } });
    const answered = new Promise<{ status: number; text: string }>((resolve, reject) => {
      inFlight.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      inFlight.on('error', reject);
    });
    inFlight.write(body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    inFlight.end(body.slice(10));

    const answer = await answered;
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.text).timeZone).toBe('Asia/Yekaterinburg');
    expect(await exited).toBe(0);
    expect(output()).toContain('SIGTERM received');
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  }, 150_000);
});
