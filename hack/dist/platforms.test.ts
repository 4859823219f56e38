// Every platform's binary from `npm run dist`, checked without its operating system: the
// executable format and CPU the platform needs, the single-executable fuse flipped and the
// blob injected (a Mach-O in its NODE_SEA segment), a code signature on macOS, and the
// linux-arm64 binary run under qemu-user. Run by `npm run test:dist`.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../test/e2e/harness.ts';

const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const release = join(repoRoot, 'release');
const FUSE = Buffer.from('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1');

/** The `switchyard` binary inside a platform's archive. */
function binaryOf(os: string, arch: string): Buffer {
  const archive = join(release, `switchyard_v${version}_${os}_${arch}.${os === 'windows' ? 'zip' : 'tar.gz'}`);
  return os === 'windows'
    ? execFileSync('unzip', ['-p', archive, 'switchyard.exe'], { maxBuffer: 1 << 30 })
    : execFileSync('tar', ['-xzOf', archive, 'switchyard'], { maxBuffer: 1 << 30 });
}

/** Mach-O 64: CPU type, segment names and whether it has a code signature load command. */
function machO(bin: Buffer): { cpu: number; segments: string[]; signed: boolean } {
  assert.equal(bin.readUInt32LE(0), 0xfeedfacf, 'a 64-bit Mach-O');
  const segments: string[] = [];
  let signed = false;
  let at = 32;
  for (let i = 0; i < bin.readUInt32LE(16); i++) {
    const cmd = bin.readUInt32LE(at);
    if (cmd === 0x19) segments.push(bin.toString('latin1', at + 8, at + 24).replace(/\0+$/, ''));
    if (cmd === 0x1d) signed = true;
    at += bin.readUInt32LE(at + 4);
  }
  return { cpu: bin.readUInt32LE(4), segments, signed };
}

for (const [os, arch] of [['linux', 'amd64'], ['linux', 'arm64'], ['darwin', 'amd64'], ['darwin', 'arm64'], ['windows', 'amd64']] as const) {
  test(`${os}-${arch}: the executable format and CPU, the fuse flipped, the blob injected`, () => {
    const bin = binaryOf(os, arch);
    assert.ok(bin.includes(FUSE), 'the SEA fuse is flipped');
    assert.ok(bin.includes(Buffer.from('client-node.cjs')), 'the blob with its client-node asset is in the binary');
    if (os === 'linux') {
      assert.equal(bin.toString('latin1', 0, 4), '\x7fELF');
      assert.equal(bin.readUInt16LE(18), arch === 'amd64' ? 0x3e : 0xb7, 'ELF machine');
    } else if (os === 'windows') {
      assert.equal(bin.toString('latin1', 0, 2), 'MZ');
      const pe = bin.readUInt32LE(0x3c);
      assert.equal(bin.toString('latin1', pe, pe + 4), 'PE\0\0');
      assert.equal(bin.readUInt16LE(pe + 4), 0x8664, 'PE machine x86-64');
    } else {
      const m = machO(bin);
      assert.equal(m.cpu, arch === 'amd64' ? 0x01000007 : 0x0100000c, 'Mach-O CPU type');
      assert.ok(m.segments.includes('NODE_SEA'), `NODE_SEA segment among ${m.segments.join(', ')}`);
      assert.ok(m.signed, 'a code signature (ad hoc, rcodesign) is present');
    }
  });
}

test('linux-arm64 runs: version and the offline post-renderer under qemu-aarch64', () => {
  const qemu = spawnSync('qemu-aarch64', ['--version'], { encoding: 'utf8' });
  assert.equal(qemu.status, 0, 'needs qemu-user and the arm64 C++ runtime: apt-get install qemu-user libc6-arm64-cross libstdc++6-arm64-cross');
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-arm64-'));
  try {
    execFileSync('tar', ['-xzf', join(release, `switchyard_v${version}_linux_arm64.tar.gz`), '-C', dir]);
    symlinkSync('switchyard', join(dir, 'kubectl-canary'));
    const run = (args: string[], input = '') => spawnSync('qemu-aarch64', ['-L', '/usr/aarch64-linux-gnu', ...args], { encoding: 'utf8', input, timeout: 180_000, cwd: dir });
    const v = run(['./kubectl-canary', 'version']);
    assert.equal(v.status, 0, v.stderr);
    assert.equal(v.stdout, `kubectl-canary ${version}\n`);
    // A Deployment a Service selects is managed (a lone one would pass through unchanged).
    const manifest = 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n---\n' +
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: "web:1.0.0"}]}\n';
    const r = run(['./switchyard', 'postrender', '--offline'], manifest);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /name: web-1-0-0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
