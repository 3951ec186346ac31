import { ValueTransformer } from 'typeorm';

/** PostgreSQL returns bigint and numeric as strings; these columns stay within Number range. */
export const numeric: ValueTransformer = {
  to: (value?: number | null) => value,
  from: (value?: string | null) => (value === null || value === undefined ? value : Number(value)),
};
