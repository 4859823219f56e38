// esbuild step of `npm run dist`: the CommonJS scripts a Node 24 single-executable
// application runs (its main script must be CommonJS and may require() only built-ins).
//   sea-main.cjs     the SEA's main script: compiles switchyard.cjs from its SEA asset, with
//                    the code cache asset when the blob has one, and calls its `start`
//   switchyard.cjs   cmd/switchyard/main.ts: every entry point, chosen by invoked name
//   client-node.cjs  @kubernetes/client-node, stored as a SEA asset and compiled only when
//                    a kubeconfig needs it (exec plugins, OIDC, proxies), so no command
//                    parses its 4 MB at start-up.
import { writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { buildClientNode, cjsOptions, optionalMissing } from '../build/cjs.mjs';
import { lazyStringWidth } from '../build/string-width.mjs';
import { yamlEsm } from '../build/yaml-esm.mjs';
import { compileCachedLines } from '../build/code-cache.mjs';

/** `@kubernetes/client-node` in the main script: compiled from the SEA asset on first use. */
const clientNodeFromAsset = {
  name: 'client-node-from-asset',
  setup(b) {
    b.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: 'client-node', namespace: 'sea-asset' }));
    b.onLoad({ filter: /.*/, namespace: 'sea-asset' }, () => ({
      contents: [
        "const { getAsset } = require('node:sea');",
        "const { compileFunction } = require('node:vm');",
        "const run = compileFunction(getAsset('client-node.cjs', 'utf8'), ['exports', 'require', 'module', '__filename', '__dirname'], { filename: 'client-node.cjs' });",
        'run(module.exports, require, module, __filename, __dirname);',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

/**
 * The SEA's main script. `switchyard.cjs` runs wrapped as Node's loader wraps a CommonJS module,
 * as hack/build/code-cache.mjs ran it when it wrote the cache; a cache that V8 rejects (another
 * V8) only costs the compile.
 */
const SEA_MAIN = [
  "'use strict';",
  "const { getAsset } = require('node:sea');",
  ...compileCachedLines({ source: "getAsset('switchyard.cjs', 'utf8')", cache: "Buffer.from(getAsset('switchyard.cache'))", filename: '__filename', dirname: '__dirname' }),
  'entry.exports.start();',
  '',
].join('\n');

/** Writes sea-main.cjs, switchyard.cjs and client-node.cjs into `outdir`; returns their paths. */
export async function bundleForSea({ outdir, version }) {
  const seaMain = `${outdir}/sea-main.cjs`;
  const script = `${outdir}/switchyard.cjs`;
  const clientNode = `${outdir}/client-node.cjs`;
  await build({ ...cjsOptions(version), entryPoints: ['cmd/switchyard/main.ts'], outfile: script, plugins: [optionalMissing, clientNodeFromAsset, lazyStringWidth, yamlEsm] });
  await buildClientNode(clientNode, version);
  writeFileSync(seaMain, SEA_MAIN);
  return { seaMain, script, clientNode };
}
