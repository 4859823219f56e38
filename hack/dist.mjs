// `npm run dist`: standalone binaries (Node.js single-executable applications, no Node
// needed on the target) and their release archives, in release/:
//   switchyard_v<version>_<os>_<arch>.tar.gz (.zip for windows) and .sha256 per archive
//   krew/canary.yaml, krew/bluegreen.yaml   krew manifests written from those archives
//   helm/<os>-<arch>/switchyard-<version>.tgz   the Helm 4 plugin with that platform's binary
// One executable, `switchyard`, serves kubectl-canary, kubectl-bluegreen,
// switchyard-postrender and the completion shims by the name it is invoked as.
//   npm run dist                          every platform
//   npm run dist -- --platform linux-amd64[,darwin-arm64…]
// Runtimes are cached in ~/.cache/switchyard/node (hack/dist/runtimes.mjs).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleForSea } from './dist/bundle.mjs';
import { buildSea } from './dist/sea.mjs';
import { PLATFORMS } from './dist/runtimes.mjs';
import { writeArchive } from './dist/archive.mjs';
import { writeKrewManifests } from './dist/krew.mjs';
import { writeHelmPlugin } from './dist/helm.mjs';

const { values } = parseArgs({ options: { platform: { type: 'string' }, out: { type: 'string', default: 'release' } } });
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const wanted = values.platform?.split(',') ?? PLATFORMS.map((p) => `${p.os}-${p.arch}`);
const unknown = wanted.filter((w) => !PLATFORMS.some((p) => `${p.os}-${p.arch}` === w));
if (unknown.length > 0) {
  process.stderr.write(`dist: error: unknown platform ${unknown.join(', ')} (known: ${PLATFORMS.map((p) => `${p.os}-${p.arch}`).join(', ')})\n`);
  process.exit(2);
}
const out = values.out;
const rcodesign = process.env.RCODESIGN ?? join(homedir(), '.cache', 'switchyard', 'rcodesign', 'bin', 'rcodesign');
// Archive timestamps: the last commit's, so the same commit gives the same archives.
const epoch = Number(execFileSync('git', ['log', '-1', '--format=%ct'], { encoding: 'utf8' }).trim());

const started = performance.now();
mkdirSync(join(out, 'bundle'), { recursive: true });
const { seaMain, script, clientNode } = await bundleForSea({ outdir: join(out, 'bundle'), version });

const shim = (plugin) => [
  '#!/bin/sh',
  `# kubectl >= 1.26 runs kubectl_complete-${plugin} for \`kubectl ${plugin} <TAB>\`; put it on PATH beside kubectl-${plugin}.`,
  `exec kubectl-${plugin} __complete "$@"`,
  '',
].join('\n');

const built = [];
for (const platform of PLATFORMS.filter((p) => wanted.includes(`${p.os}-${p.arch}`))) {
  const id = `${platform.os}-${platform.arch}`;
  const t0 = performance.now();
  const stage = join(out, 'stage', id);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  const sea = buildSea({ platform, seaMain, script, clientNode, workdir: stage, rcodesign });
  copyFileSync('LICENSE', join(stage, 'LICENSE'));
  copyFileSync('README.md', join(stage, 'README.md'));
  const files = [`switchyard${platform.exe}`, 'LICENSE', 'README.md'];
  if (platform.os !== 'windows') {
    for (const plugin of ['canary', 'bluegreen']) {
      writeFileSync(join(stage, `kubectl_complete-${plugin}`), shim(plugin), { mode: 0o755 });
      files.push(`kubectl_complete-${plugin}`);
    }
  }
  const archive = writeArchive({
    dir: stage,
    files,
    out: join(out, `switchyard_v${version}_${platform.os}_${platform.arch}.${platform.archive}`),
    kind: platform.archive,
    epoch,
  });
  const helm = writeHelmPlugin({ platform, binary: sea.file, out: join(out, 'helm', id), version, epoch });
  built.push({ platform, ...archive, helm, sea });
  const mb = (f) => (statSync(f).size / 1e6).toFixed(1);
  process.stderr.write(`dist: ${id.padEnd(14)} binary ${mb(sea.file)} MB, archive ${mb(archive.file)} MB, code cache ${sea.codeCache ? 'yes' : 'no'}, signature ${sea.signed}, ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
const { homepage } = JSON.parse(readFileSync('package.json', 'utf8'));
// The repository's krew-manifest.yaml follows the default release directory only.
const repoFile = values.out === 'release' ? 'krew-manifest.yaml' : undefined;
const archives = writeKrewManifests({ release: out, out: join(out, 'krew'), version, homepage: process.env.SWITCHYARD_HOMEPAGE ?? homepage, repoFile });
process.stderr.write(`dist: krew manifests for ${archives.map((a) => `${a.os}-${a.arch}`).join(', ')} → ${out}/krew/${repoFile === undefined ? '' : `, ${repoFile}`}\n`);
process.stderr.write(`dist: done in ${((performance.now() - started) / 1000).toFixed(1)} s → ${out}/\n`);
