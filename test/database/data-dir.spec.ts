import { chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { secureDataDir } from '../../src/database/data-dir';
import { RecordingStore } from '../../src/pipeline/recording/recording-store';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('the data directory', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = join(mkdtempSync(join(tmpdir(), 'crm-data-dir-')), 'data');
  });

  it('is created for its owner only', () => {
    secureDataDir(dataDir);
    expect(modeOf(dataDir)).toBe(0o700);
  });

  it('tightens what an earlier version left open at its top level', () => {
    mkdirSync(join(dataDir, 'recordings'), { recursive: true });
    writeFileSync(join(dataDir, 'notes.txt'), 'x');
    for (const path of [dataDir, join(dataDir, 'recordings')]) chmodSync(path, 0o755);
    chmodSync(join(dataDir, 'notes.txt'), 0o644);

    secureDataDir(dataDir);

    expect([modeOf(dataDir), modeOf(join(dataDir, 'recordings')), modeOf(join(dataDir, 'notes.txt'))]).toEqual([0o700, 0o700, 0o600]);
  });

  it('lets a pass-through group enter, but not list it', () => {
    const group = process.getgid!();
    secureDataDir(dataDir, group);
    expect(modeOf(dataDir)).toBe(0o710);
    expect(statSync(dataDir).gid).toBe(group);
  });

  it('keeps recordings in directories of their owner only, whatever the umask', async () => {
    const store = new RecordingStore(dataDir);
    const partial = await store.partialPath();
    writeFileSync(partial, 'audio');
    const stored = join(dataDir, await store.adopt(partial, 7, 'wav'));

    const month = dirname(stored);
    for (const dir of [dirname(partial), join(dataDir, 'recordings'), dirname(month), month]) expect([dir, modeOf(dir)]).toEqual([dir, 0o700]);
  });
});
