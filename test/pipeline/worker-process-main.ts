import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { loadAppConfig } from '../../src/config/app-config';
import { CallAnalyzer } from '../../src/integrations/analysis/call-analyzer.port';
import { Transcriber } from '../../src/integrations/transcription/transcriber.port';
import { FakeAnalyzer, FakeTranscriber } from './pipeline-support';

/** Boots a worker-role context against the database in the environment; stages are slow so a kill lands mid-stage. */
async function main(): Promise<void> {
  const config = loadAppConfig({ ...process.env, ROLE: 'worker', DB_MIGRATE_ON_START: 'false', LOG_LEVEL: 'silent' });
  const transcriber = new FakeTranscriber();
  transcriber.delayMs = Number(process.env.FAKE_TRANSCRIBE_MS ?? 1500);
  const analyzer = new FakeAnalyzer();
  analyzer.delayMs = Number(process.env.FAKE_ANALYZE_MS ?? 200);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.register(config)] })
    .overrideProvider(Transcriber).useValue(transcriber)
    .overrideProvider(CallAnalyzer).useValue(analyzer)
    .compile();
  await moduleRef.init();
  process.stdout.write('worker ready\n');
  process.once('SIGTERM', () => void moduleRef.close().then(() => process.exit(0)));
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
