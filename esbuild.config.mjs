// Bundles each binary in cmd/ into one executable file under dist/.
// The bundles are ESM for Node 24; CommonJS dependencies get a `require` shim.
import { build } from 'esbuild';
import { chmod, mkdir, symlink, rm, stat } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

/** binary name in dist/ → entry point; extra names are symlinks to the same bundle. */
const binaries = [
  { entry: 'cmd/switchyard-postrender/main.ts', out: 'switchyard-postrender', aliases: [] },
  { entry: 'cmd/kubectl-rollout-canary/main.ts', out: 'kubectl-canary', aliases: ['kubectl-rollout_canary'] },
  { entry: 'cmd/kubectl-bluegreen/main.ts', out: 'kubectl-bluegreen', aliases: [] },
];

await mkdir('dist', { recursive: true });
const started = performance.now();
for (const bin of binaries) {
  if (!existsSync(bin.entry)) continue;
  const outfile = `dist/${bin.out}`;
  await build({
    entryPoints: [bin.entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    legalComments: 'none',
    define: { SWITCHYARD_VERSION: JSON.stringify(version) },
    logLevel: 'warning',
    banner: {
      js: [
        '#!/usr/bin/env node',
        "import { createRequire as __switchyardCreateRequire } from 'node:module';",
        'const require = __switchyardCreateRequire(import.meta.url);',
      ].join('\n'),
    },
  });
  await chmod(outfile, 0o755);
  for (const alias of bin.aliases) {
    await rm(`dist/${alias}`, { force: true });
    await symlink(bin.out, `dist/${alias}`);
  }
  const { size } = await stat(outfile);
  process.stderr.write(`built ${outfile} (${(size / 1024).toFixed(0)} KiB)\n`);
}
// An extensionless ESM bundle needs a package.json saying so beside it.
const { writeFile } = await import('node:fs/promises');
await writeFile('dist/package.json', '{ "type": "module" }\n');
process.stderr.write(`esbuild done in ${(performance.now() - started).toFixed(0)} ms\n`);
