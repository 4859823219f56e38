// esbuild step of `npm run dist`: the CommonJS scripts a Node 24 single-executable
// application runs (its main script must be CommonJS and may require() only built-ins).
//   main.cjs         cmd/switchyard/main.ts: every entry point, chosen by invoked name
//   client-node.cjs  @kubernetes/client-node, stored as a SEA asset and compiled only when
//                    a kubeconfig needs it (exec plugins, OIDC, proxies), so no command
//                    parses its 4 MB at start-up.
import { build } from 'esbuild';
import { lazyStringWidth } from '../build/string-width.mjs';
import { yamlEsm } from '../build/yaml-esm.mjs';

/** Optional dependencies that bundled libraries try to require(); absent, they must fail as "not found". */
const OPTIONAL = ['bufferutil', 'utf-8-validate', 'supports-color', 'encoding'];

const common = (version) => ({
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node24',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  // ESM-only libraries (yargs) read import.meta.url; in CommonJS it comes from __filename.
  define: {
    SWITCHYARD_VERSION: JSON.stringify(version),
    'import.meta.url': '__switchyardMetaUrl',
    'import.meta.dirname': '__dirname',
    'import.meta.filename': '__filename',
  },
  banner: { js: "var __switchyardMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
});

/** Resolves the optional requires to a module that throws MODULE_NOT_FOUND, as a missing package would. */
const optionalMissing = {
  name: 'optional-missing',
  setup(b) {
    const filter = new RegExp(`^(${OPTIONAL.join('|')})$`);
    b.onResolve({ filter }, (a) => ({ path: a.path, namespace: 'optional-missing' }));
    b.onLoad({ filter: /.*/, namespace: 'optional-missing' }, (a) => ({
      contents: `throw Object.assign(new Error("Cannot find module '${a.path}'"), { code: 'MODULE_NOT_FOUND' });`,
      loader: 'js',
    }));
  },
};

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

/** Writes main.cjs and client-node.cjs into `outdir`; returns their paths. */
export async function bundleForSea({ outdir, version }) {
  const main = `${outdir}/main.cjs`;
  const clientNode = `${outdir}/client-node.cjs`;
  await build({ ...common(version), entryPoints: ['cmd/switchyard/main.ts'], outfile: main, plugins: [optionalMissing, clientNodeFromAsset, lazyStringWidth, yamlEsm] });
  await build({
    ...common(version),
    stdin: { contents: "module.exports = require('@kubernetes/client-node');", resolveDir: process.cwd(), loader: 'js' },
    outfile: clientNode,
    plugins: [optionalMissing],
  });
  return { main, clientNode };
}
