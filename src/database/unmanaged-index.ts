import { Index, IndexOptions } from 'typeorm';

/**
 * An index that a migration creates with SQL TypeORM cannot express (GIN, trigram). The schema
 * diff leaves it alone; the option exists at run time but is missing from TypeORM's typings.
 */
export const UnmanagedIndex = (name: string, fields: string[]) =>
  Index(name, fields, { synchronize: false } as IndexOptions);
