import { runMigrations, schemaDrift } from './data-source';

/**
 * `npm run schema:diff`: applies the migrations to DATABASE_URL and prints the SQL that would bring
 * the schema in line with the entities — the starting point of a new migration.
 */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  await runMigrations(url);
  const statements = await schemaDrift(url);
  console.log(statements.length ? statements.map((sql) => `${sql};`).join('\n') : '-- the schema matches the entities');
}

void main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
