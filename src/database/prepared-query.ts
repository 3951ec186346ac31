import { createHash } from 'node:crypto';
import type { Pool, QueryResultRow } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (!name) names.set(text, (name = `q_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`));
  return name;
}

/**
 * Runs a hot read as a named prepared statement: each connection plans it once instead of on every
 * request. For statements built from a bounded set of fragments, like the list filters.
 */
export async function preparedQuery<T extends QueryResultRow>(pool: Pool, text: string, values: unknown[]): Promise<T[]> {
  return (await pool.query<T>({ name: statementName(text), text, values })).rows;
}

/** The pg pool under TypeORM, for `preparedQuery`. */
export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as PostgresDriver).master as Pool;
}
