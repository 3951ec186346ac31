/*
 * A real worker process for the crash test: compiles TypeScript on the fly (no build step) and boots the
 * pipeline as `npm run worker` does, with slow fake stages behind our ports.
 */
require('../support/ts-process').registerTypeScript();
require('./worker-process-main.ts');
