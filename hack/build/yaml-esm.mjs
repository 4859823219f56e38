// esbuild plugin shared by the bundles (esbuild.config.mjs) and the standalone binaries
// (hack/dist/bundle.mjs): `import 'yaml'` gets the package's ES module build (its
// "default" export condition, `yaml/browser/index.js`) instead of its CommonJS one.
//
// Why: the two are built from the same source, but the CommonJS build asks
// process.env.LOG_TOKENS for every token the parser reads (a getenv each time, about 2% of
// the post-renderer's time on a large stream), and as CommonJS it cannot be tree-shaken.
// hack/build/yaml-esm.test.ts checks that both builds read and print the corpus alike.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const yamlEsm = {
  name: 'yaml-esm',
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, (args) => {
      const pkg = createRequire(join(args.resolveDir, 'x.js')).resolve('yaml/package.json');
      return { path: join(dirname(pkg), 'browser', 'index.js') };
    });
  },
};
