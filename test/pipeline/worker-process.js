/*
 * A real worker process for the crash test: compiles TypeScript on the fly (no build step) and boots the
 * pipeline as `npm run worker` does, with slow fake stages behind our ports.
 */
const { readFileSync } = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true,
      experimentalDecorators: true, emitDecoratorMetadata: true, isolatedModules: true,
    },
  });
  module._compile(outputText, filename);
};

require('./worker-process-main.ts');
