// Every bundle in dist/ runs from a V8 code cache: dist/<name> reads dist/lib/<name>.cjs and
// the cache beside it into a vm.Script. Node's own compile cache (module.enableCompileCache)
// is written when a module is compiled, before it runs, so it holds little more than the top
// level: every function a command calls is still compiled on each start. This cache is
// written after a warm-up run of the script's `warmUp` (run as
// `node hack/build/code-cache.mjs <script> <cache>` by esbuild.config.mjs, with the Node that
// builds), so it holds those functions compiled too. A Node whose V8 differs rejects the
// cache and compiles the script as usual. The standalone binaries' multi-call script
// (cmd/switchyard/main.ts) gets its cache the same way, written by the runtime that runs it
// (hack/dist/sea.mjs), and stored in the binary as a SEA asset.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/** What the launcher wraps the CommonJS script in, as Node's own loader does. */
export const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) {';
export const WRAP_TAIL = '\n})';

/**
 * Launcher lines that compile a CommonJS script from its code cache and evaluate it as
 * `entry` (its exports in `entry.exports`), given JavaScript expressions for the script's
 * source, its cache (may throw: then it is compiled as usual), its filename and folder.
 */
export function compileCachedLines({ source, cache, filename, dirname }) {
  return [
    "const { Script } = require('node:vm');",
    'let cachedData;',
    'try {',
    `  cachedData = ${cache};`,
    '} catch {',
    '  // no cache: compiled as usual',
    '}',
    `const script = new Script(${JSON.stringify(WRAP_HEAD)} + ${source} + ${JSON.stringify(WRAP_TAIL)}, { filename: ${filename}, cachedData });`,
    'const entry = { exports: {} };',
    `script.runInThisContext()(entry.exports, require, entry, ${filename}, ${dirname});`,
  ];
}

/** The CommonJS launcher's lines that run `relative` (a path from the launcher's folder) from its cache, given the argv. */
export function runCachedLines(relative) {
  return [
    "const { readFileSync } = require('node:fs');",
    "const { dirname, join } = require('node:path');",
    `const file = join(__dirname, ${JSON.stringify(relative)});`,
    ...compileCachedLines({ source: "readFileSync(file, 'utf8')", cache: "readFileSync(file.replace(/\\.cjs$/, '.cache'))", filename: 'file', dirname: 'dirname(file)' }),
    'entry.exports.run(process.argv.slice(2)).then((code) => {',
    '  process.exitCode = code;',
    '});',
  ];
}

/** Loads `file` as the launcher does (with `cachedData` when given); returns the script and its exports. */
export function loadScript(relative, cachedData) {
  const file = resolve(relative);
  const script = new Script(WRAP_HEAD + readFileSync(file, 'utf8') + WRAP_TAIL, { filename: file, cachedData });
  const bundle = { exports: {} };
  script.runInThisContext()(bundle.exports, createRequire(file), bundle, file, dirname(file));
  return { script, exports: bundle.exports };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, cacheFile] = process.argv.slice(2);
  const { script, exports } = loadScript(file);
  await exports.warmUp();
  writeFileSync(cacheFile, script.createCachedData());
}
