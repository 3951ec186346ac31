/*
 * Runs a TypeScript entry point in a real child process without a build step: `node ts-process.js FILE.ts`.
 * Tests use it for what only a separate process shows (signals, crashes).
 */
const { readFileSync } = require('node:fs');
const { resolve } = require('node:path');
const ts = require('typescript');

function registerTypeScript() {
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
}

module.exports = { registerTypeScript };

if (require.main === module) {
  registerTypeScript();
  require(resolve(process.argv[2]));
}
