/*
 * Another process of ours on a data directory: `node ts-process.js embedded-database-holder.ts DATA_DIR` starts
 * (or joins) the embedded PostgreSQL, prints its URL and leaves it on SIGTERM.
 */
import { startEmbeddedDatabase } from '../../src/database/embedded-database';

startEmbeddedDatabase(process.argv[3]).then((database) => {
  process.stdout.write(`ready ${database.url}\n`);
  process.once('SIGTERM', () => void database.stop().then(() => process.exit(0)));
}, (error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
