// Bundles the binaries in cmd/ for Node 24. Each binary is a small launcher dist/<name>
// that runs one CommonJS script, dist/lib/<name>.cjs, from a V8 code cache written after a
// warm-up run of the script (hack/build/code-cache.mjs: a render for the post-renderer,
// `--help`, `status --help` and `version` for the plugins), so the functions a command calls
// arrive compiled. @kubernetes/client-node sits beside them as lib/client-node.cjs, required
// only when a kubeconfig needs it; the modules a command does not use (the kube client for
// `--help`) are bundled but not evaluated.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmod, copyFile, mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { buildClientNode, cjsOptions, optionalMissing } from './hack/build/cjs.mjs';
import { runCachedLines } from './hack/build/code-cache.mjs';
import { lazyStringWidth } from './hack/build/string-width.mjs';
import { yamlEsm } from './hack/build/yaml-esm.mjs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const { version } = pkg;
/** The oldest Node.js the bundles run on (client-node 2 needs undici 8, which needs 22.19); pkg/cli/io.ts has the same. */
const MIN_NODE = [22, 19];

/** binary name in dist/ → entry point; extra names are symlinks to the same launcher. */
const binaries = [
  { entry: 'cmd/switchyard-postrender/bundle.ts', out: 'switchyard-postrender', aliases: [] },
  { entry: 'cmd/kubectl-rollout-canary/bundle.ts', out: 'kubectl-canary', aliases: ['kubectl-rollout_canary'] },
  { entry: 'cmd/kubectl-bluegreen/bundle.ts', out: 'kubectl-bluegreen', aliases: [] },
].filter((b) => existsSync(b.entry));

const started = performance.now();
await rm('dist', { recursive: true, force: true });
await mkdir('dist/lib', { recursive: true });
// Each binary: one CommonJS script, client-node required from the file beside it.
const clientNodeFromFile = {
  name: 'client-node-from-file',
  setup(b) {
    b.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: 'client-node', namespace: 'client-node-file' }));
    b.onLoad({ filter: /.*/, namespace: 'client-node-file' }, () => ({
      contents: "module.exports = require(require('node:path').join(__dirname, 'client-node.cjs'));",
      loader: 'js',
    }));
  },
};
for (const bin of binaries) {
  await build({ ...cjsOptions(version), entryPoints: [bin.entry], outfile: `dist/lib/${bin.out}.cjs`, plugins: [optionalMissing, clientNodeFromFile, lazyStringWidth, yamlEsm] });
}
await buildClientNode('dist/lib/client-node.cjs', version);

// dist/ is also the npm package (`npm pack ./dist`): its package.json marks the launchers and
// scripts as CommonJS and installs the launchers as commands; the scripts need no dependencies.
const bin = Object.fromEntries(binaries.flatMap((b) => [[b.out, b.out], ...b.aliases.map((a) => [a, b.out])]));
await writeFile('dist/package.json', `${JSON.stringify({
  name: pkg.name,
  version,
  description: pkg.description,
  license: pkg.license,
  homepage: pkg.homepage,
  type: 'commonjs',
  engines: { node: `>=${MIN_NODE.join('.')}` },
  bin,
  files: [...binaries.map((b) => b.out), 'lib/', 'LICENSE', 'README.md'],
}, null, 2)}\n`);
await copyFile('LICENSE', 'dist/LICENSE');
await copyFile('README.md', 'dist/README.md');
for (const bin of binaries) {
  const launcher = `dist/${bin.out}`;
  // The version check comes before the bundle is imported, so an old Node gets one line, not a crash.
  await writeFile(launcher, [
    '#!/usr/bin/env node',
    "'use strict';",
    "const [major, minor] = process.versions.node.split('.').map(Number);",
    `if (major < ${MIN_NODE[0]} || (major === ${MIN_NODE[0]} && minor < ${MIN_NODE[1]})) {`,
    `  process.stderr.write(\`${bin.out}: error: switchyard needs Node.js ${MIN_NODE.join('.')} or newer; this is Node.js \${process.versions.node} (put a newer node first on PATH)\\n\`);`,
    '  process.exit(1);',
    '}',
    ...runCachedLines(`lib/${bin.out}.cjs`),
    '',
  ].join('\n'));
  await chmod(launcher, 0o755);
  for (const alias of bin.aliases) {
    await rm(`dist/${alias}`, { force: true });
    await symlink(bin.out, `dist/${alias}`);
  }
  // The code cache, written by the Node that builds (the pinned Node 24) after a warm-up run.
  const script = `dist/lib/${bin.out}.cjs`;
  const cache = `dist/lib/${bin.out}.cache`;
  const r = spawnSync(process.execPath, ['hack/build/code-cache.mjs', script, cache], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`writing the code cache of ${script} failed: ${r.stderr.trim()}`);
  const [{ size }, cached] = await Promise.all([stat(script), stat(cache)]);
  process.stderr.write(`built ${launcher} (CommonJS script ${(size / 1024).toFixed(0)} KiB, code cache ${(cached.size / 1024).toFixed(0)} KiB)\n`);
}
process.stderr.write(`esbuild done in ${(performance.now() - started).toFixed(0)} ms\n`);
