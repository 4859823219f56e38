// esbuild settings shared by the CommonJS scripts: the post-renderer's bundle in dist/
// (esbuild.config.mjs), run from a V8 code cache, and the standalone binaries' scripts
// (hack/dist/bundle.mjs), run from a code cache as well.
import { build } from 'esbuild';

/** Optional dependencies that bundled libraries try to require(); absent, they must fail as "not found". */
const OPTIONAL = ['bufferutil', 'utf-8-validate', 'supports-color', 'encoding'];

/** Options for a self-contained CommonJS script for Node 24. */
export const cjsOptions = (version) => ({
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
export const optionalMissing = {
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

/** Writes `@kubernetes/client-node` alone as one CommonJS script (4 MB: only loaded when a kubeconfig needs it). */
export function buildClientNode(outfile, version) {
  return build({
    ...cjsOptions(version),
    stdin: { contents: "module.exports = require('@kubernetes/client-node');", resolveDir: process.cwd(), loader: 'js' },
    outfile,
    plugins: [optionalMissing],
  });
}
