import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, prepareDatabase } from './bootstrap';
import { loadAppConfig } from './config/app-config';
import { buildOpenApiDocument } from './swagger';

/** `npm run openapi:export [file]`: writes the OpenAPI document the built service serves. */
async function main(): Promise<void> {
  const output = process.argv[2] ?? 'openapi.json';
  const dataDir = mkdtempSync(join(tmpdir(), 'crm-openapi-'));
  chmodSync(dataDir, 0o755);
  const config = loadAppConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const database = await prepareDatabase(config);
  try {
    const app = await createApp(config);
    await app.init();
    writeFileSync(output, JSON.stringify(buildOpenApiDocument(app), null, 2));
    await app.close();
  } finally {
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`OpenAPI document written to ${output}`);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
