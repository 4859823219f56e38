// The krew manifests `npm run dist` writes, checked against the archives they name, with
// the rules krew applies: its manifest validation (internal/index/validation), the extra
// checks of krew-index's validate-krew-manifest (supported os/arch, no overlapping
// selectors, a license file), and what `krew install` needs of the archive (regular files
// and directories only, `files` that exist, `bin` present and executable after the moves).
// Run by `npm run test:dist` (after the archives are built); krew itself is not built here.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '../../test/e2e/harness.ts';

interface Platform {
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  uri?: string; sha256?: string; bin?: string; files?: { from?: string; to?: string }[];
}
interface Manifest {
  apiVersion?: string; kind?: string; metadata?: { name?: string };
  spec?: { version?: string; homepage?: string; shortDescription?: string; caveats?: string; platforms?: Platform[] };
}

const release = join(repoRoot, 'release');
const SUPPORTED = new Set(['windows/386', 'windows/amd64', 'windows/arm64', 'linux/386', 'linux/amd64', 'linux/arm', 'linux/arm64', 'linux/ppc64le', 'darwin/386', 'darwin/amd64', 'darwin/arm64']);
const LICENSE = /^(license|license\.txt|license\.md|licenses.*|copying|copying\.txt)$/i;
const SEMVER = /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Entries of an archive: name → { type: 'file' | 'dir' | other, executable }. */
function entries(file: string): Map<string, { type: string; executable: boolean }> {
  const out = new Map<string, { type: string; executable: boolean }>();
  if (file.endsWith('.zip')) {
    for (const line of execFileSync('zipinfo', ['-l', file], { encoding: 'utf8' }).split('\n')) {
      const m = /^([-dl])([rwx-]{9})\s.*\s(\S+)$/.exec(line);
      if (m !== null) out.set(m[3]!, { type: m[1] === '-' ? 'file' : m[1] === 'd' ? 'dir' : 'link', executable: true });
    }
  } else {
    for (const line of execFileSync('tar', ['-tvzf', file], { encoding: 'utf8' }).trim().split('\n')) {
      const name = line.split(/\s+/)[5]!;
      out.set(name.replace(/\/$/, ''), { type: line[0] === '-' ? 'file' : line[0] === 'd' ? 'dir' : `type ${line[0]}`, executable: line[3] === 'x' });
    }
  }
  return out;
}

function validate(plugin: string, m: Manifest): void {
  assert.equal(m.apiVersion, 'krew.googlecontainertools.github.com/v1alpha2');
  assert.equal(m.kind, 'Plugin');
  assert.equal(m.metadata?.name, plugin, 'metadata.name is the file name');
  assert.match(plugin, /^[\w-]+$/);
  const spec = m.spec!;
  assert.ok(spec.shortDescription !== undefined && spec.shortDescription !== '' && !/[\r\n]/.test(spec.shortDescription), 'shortDescription: one non-empty line');
  assert.match(spec.version ?? '', SEMVER);
  assert.match(spec.homepage ?? '', /^https:\/\/[^/]+\/[^/]+\/[^/]+$/);
  assert.doesNotMatch(JSON.stringify(m), /OWNER|PLACEHOLDER|0{64}/, 'no placeholders');
  assert.match(spec.caveats ?? '', new RegExp(`kubectl_complete-${plugin}`));
  assert.match(spec.caveats ?? '', /rbac\.md/);
  const platforms = spec.platforms ?? [];
  assert.ok(platforms.length > 0, 'at least one platform');
  const seen = new Set<string>();
  for (const p of platforms) {
    const labels = p.selector?.matchLabels ?? {};
    assert.deepEqual(Object.keys(labels).sort(), ['arch', 'os'], 'selector: matchLabels os and arch only');
    const pair = `${labels.os}/${labels.arch}`;
    assert.ok(SUPPORTED.has(pair), `${pair} is a platform krew knows`);
    assert.ok(!seen.has(pair), `${pair}: selectors do not overlap`);
    seen.add(pair);
    assert.match(p.sha256 ?? '', /^[a-f0-9]{64}$/);
    assert.ok(p.bin !== undefined && p.bin !== '', 'bin is set');
    if (labels.os === 'windows') assert.match(p.bin, /\.exe$/, 'a Windows bin is a .exe');
    assert.ok(p.files === undefined || (p.files.length > 0 && p.files.every((f) => f.from && f.to)), 'files: unset, or each with from and to');

    // The archive it names: present, matching the checksum, and installable by krew.
    const archive = join(release, basename(p.uri!));
    assert.match(p.uri!, new RegExp(`^${spec.homepage}/releases/download/${spec.version}/`));
    assert.equal(createHash('sha256').update(readFileSync(archive)).digest('hex'), p.sha256, `${basename(archive)}: sha256`);
    const inArchive = entries(archive);
    for (const [name, e] of inArchive) assert.ok(e.type === 'file' || e.type === 'dir', `${name}: krew unpacks only files and directories, not ${e.type}`);
    const installed = new Map<string, { executable: boolean }>();
    for (const f of p.files ?? []) {
      const e = inArchive.get(f.from!);
      assert.ok(e !== undefined, `${pair}: files.from ${f.from} is in the archive`);
      installed.set(f.to === '.' ? f.from! : join(f.to!, basename(f.from!)), e);
    }
    assert.ok(installed.get(p.bin)?.executable, `${pair}: bin ${p.bin} is installed and executable`);
    assert.ok([...installed.keys()].some((n) => LICENSE.test(n)), `${pair}: a license file is installed`);
  }
  assert.deepEqual([...seen].sort(), ['darwin/amd64', 'darwin/arm64', 'linux/amd64', 'linux/arm64', 'windows/amd64']);
}

for (const plugin of ['canary', 'bluegreen']) {
  test(`krew manifest ${plugin}: valid, and true of every archive it names`, () => {
    validate(plugin, parseAllDocuments(readFileSync(join(release, 'krew', `${plugin}.yaml`), 'utf8'))[0]!.toJS() as Manifest);
  });
}

test('krew-manifest.yaml in the repository is the two manifests of this build', () => {
  const docs = parseAllDocuments(readFileSync(join(repoRoot, 'krew-manifest.yaml'), 'utf8')).map((d) => d.toJS() as Manifest);
  assert.deepEqual(docs.map((d) => d.metadata?.name), ['canary', 'bluegreen']);
  for (const doc of docs) {
    assert.deepEqual(doc, parseAllDocuments(readFileSync(join(release, 'krew', `${doc.metadata!.name}.yaml`), 'utf8'))[0]!.toJS());
  }
});
