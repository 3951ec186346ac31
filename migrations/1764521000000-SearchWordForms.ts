import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Characters a reader takes for punctuation or a space but PostgreSQL's parser, on a cluster whose ctype is C,
 * keeps inside a word («Альфа» would be indexed with its guillemets); and «ё», written as «е» as often as not.
 * Quotes and dashes become spaces, hyphens ASCII hyphens (so "Альфа‑Банк" stays one compound), a soft hyphen
 * (last, with nothing to become) disappears.
 */
const FOLD: [from: string, to: string][] = [
  ['Ёё', 'Ее'],
  ['«»„“”‟‹›‘’‚‛"`´', ' '.repeat(15)],
  ['–—―−…№', ' '.repeat(6)],
  ['‐‑‒', '---'],
  ['\u00a0\u2007\u2009\u202f\u200b', ' '.repeat(5)],
  ['\u00ad', ''],
];

/** The query's stems from this length on also match as prefixes: «дорогой» (дорог) finds «дорого», «Альфа» finds «Альфа-Банк». */
const PREFIX_FROM = 4;

/**
 * Search that reads Russian as people write it. `search_text` folds punctuation and «ё» the same way for the
 * indexed text and the query; `search_vector` keeps both the Russian stems and the whole words, so
 * `search_query` (the web-search syntax, stemmed) can match a stem as the start of a word as well: word forms
 * the stemmer cuts differently, and product or company names inside longer ones. The transcripts' and chat
 * messages' vectors, kept by their trigger, are recomputed.
 */
export class SearchWordForms1764521000000 implements MigrationInterface {
  name = 'SearchWordForms1764521000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const from = FOLD.map(([characters]) => characters).join('');
    const to = FOLD.map(([, replacements]) => replacements).join('');
    await queryRunner.query(`
      CREATE FUNCTION search_text(body text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT translate(body, '${from}', '${to}') $$`);
    await queryRunner.query(`
      CREATE FUNCTION search_vector(body text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT to_tsvector('pg_catalog.russian', search_text(body)) || to_tsvector('pg_catalog.simple', search_text(body)) $$`);
    await queryRunner.query(`
      CREATE FUNCTION search_query(query text) RETURNS tsquery LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT CASE WHEN numnode(q) = 0 THEN q ELSE regexp_replace(q::text, '''([^'']{${PREFIX_FROM},})''', '''\\1'':*', 'g')::tsquery END
              FROM websearch_to_tsquery('pg_catalog.russian', search_text(query)) AS q $$`);
    await this.vectorsBy(queryRunner, 'search_vector(NEW.text)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await this.vectorsBy(queryRunner, `to_tsvector('pg_catalog.russian', coalesce(NEW.text, ''))`);
    await queryRunner.query(`DROP FUNCTION search_query`);
    await queryRunner.query(`DROP FUNCTION search_vector`);
    await queryRunner.query(`DROP FUNCTION search_text`);
  }

  /** The trigger function of both tables, and every stored vector recomputed with it. */
  private async vectorsBy(queryRunner: QueryRunner, vector: string): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION text_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.tsv := ${vector};
        RETURN NEW;
      END $$`);
    const recomputed = vector.replace(/NEW\./g, '');
    await queryRunner.query(`UPDATE transcripts SET tsv = ${recomputed}`);
    await queryRunner.query(`UPDATE chat_messages SET tsv = ${recomputed}`);
  }
}
