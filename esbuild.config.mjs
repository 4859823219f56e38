// Bundles the binaries in cmd/ for Node 24. Each binary is a small launcher dist/<name>
// that turns on Node's compile cache and imports dist/lib/<name>.js. The bundles share
// chunks (code splitting), so @kubernetes/client-node is only loaded by commands that
// talk to the cluster: `--help`, `version` and the offline post-renderer never parse it.
import { build } from 'esbuild';
import { chmod, copyFile, mkdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { lazyStringWidth } from './hack/build/string-width.mjs';
import { yamlEsm } from './hack/build/yaml-esm.mjs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const { version } = pkg;
/** The oldest Node.js the bundles run on (client-node 2 needs undici 8, which needs 22.19); pkg/cli/io.ts has the same. */
const MIN_NODE = [22, 19];

/** binary name in dist/ → entry point; extra names are symlinks to the same launcher. */
const binaries = [
  { entry: 'cmd/switchyard-postrender/main.ts', out: 'switchyard-postrender', aliases: [] },
  { entry: 'cmd/kubectl-rollout-canary/main.ts', out: 'kubectl-canary', aliases: ['kubectl-rollout_canary'] },
  { entry: 'cmd/kubectl-bluegreen/main.ts', out: 'kubectl-bluegreen', aliases: [] },
].filter((b) => existsSync(b.entry));

const started = performance.now();
await rm('dist', { recursive: true, force: true });
await mkdir('dist/lib', { recursive: true });
await build({
  entryPoints: Object.fromEntries(binaries.map((b) => [b.out, b.entry])),
  outdir: 'dist/lib',
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [lazyStringWidth, yamlEsm],
  define: { SWITCHYARD_VERSION: JSON.stringify(version) },
  // Bundled CommonJS dependencies call require(); give every ESM output file one.
  banner: { js: "import { createRequire as __switchyardCreateRequire } from 'node:module'; const require = __switchyardCreateRequire(import.meta.url);" },
});

// dist/ is also the npm package (`npm pack ./dist`): its package.json marks the launchers and
// bundles as ES modules and installs the launchers as commands; the bundles need no dependencies.
const bin = Object.fromEntries(binaries.flatMap((b) => [[b.out, b.out], ...b.aliases.map((a) => [a, b.out])]));
await writeFile('dist/package.json', `${JSON.stringify({
  name: pkg.name,
  version,
  description: pkg.description,
  license: pkg.license,
  homepage: pkg.homepage,
  type: 'module',
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
    "import * as nodeModule from 'node:module';",
    "const [major, minor] = process.versions.node.split('.').map(Number);",
    `if (major < ${MIN_NODE[0]} || (major === ${MIN_NODE[0]} && minor < ${MIN_NODE[1]})) {`,
    `  process.stderr.write(\`${bin.out}: error: switchyard needs Node.js ${MIN_NODE.join('.')} or newer; this is Node.js \${process.versions.node} (put a newer node first on PATH)\\n\`);`,
    '  process.exit(1);',
    '}',
    'nodeModule.enableCompileCache?.();',
    `await import('./lib/${bin.out}.js');`,
    '',
  ].join('\n'));
  await chmod(launcher, 0o755);
  for (const alias of bin.aliases) {
    await rm(`dist/${alias}`, { force: true });
    await symlink(bin.out, `dist/${alias}`);
  }
  const { size } = await stat(`dist/lib/${bin.out}.js`);
  process.stderr.write(`built ${launcher} (entry ${(size / 1024).toFixed(0)} KiB)\n`);
}
process.stderr.write(`esbuild done in ${(performance.now() - started).toFixed(0)} ms\n`);
