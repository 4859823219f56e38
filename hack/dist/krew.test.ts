// The krew manifests `npm run dist` writes, checked two ways. With krew itself, v0.4.3 built
// from the Go module proxy by hack/dist/build-krew.sh (cached in ~/.cache/switchyard):
// krew's own validator, validate-krew-manifest (what krew-index's CI runs: krew's
// internal/index/validation, supported os/arch, no overlapping selectors), then
// `kubectl krew install --manifest --archive` of every platform's archive into a temporary
// KREW_ROOT (KREW_OS/KREW_ARCH pick the platform, as the validator's own install check does;
// --archive keeps it offline), and on this linux/amd64 host the installed plugins run
// through kubectl and `kubectl plugin list` is clean. And by hand, against the archives:
// checksums, regular files only, `files` present, `bin` executable, a license file.
// Run by `npm run test:dist` (after the archives are built).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, suite, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { repoRoot, toolPaths } from '../../test/e2e/harness.ts';

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

/** Directory of kubectl-krew and validate-krew-manifest, built once by build-krew.sh. */
function krewDir(): string {
  const built = spawnSync('bash', [join(repoRoot, 'hack', 'dist', 'build-krew.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000 });
  assert.equal(built.status, 0, 'hack/dist/build-krew.sh builds krew');
  return built.stdout.trim().split('\n').at(-1)!;
}

suite('with the real krew v0.4.3', () => {
  let krew = '';
  const roots: string[] = [];
  /** A fresh KREW_ROOT, removed after the suite. */
  const krewRoot = (): string => {
    const root = mkdtempSync(join(tmpdir(), 'switchyard-krew-'));
    roots.push(root);
    return root;
  };
  /** kubectl's and krew's environment: nothing of ours on PATH but krew's bin, krew, kubectl; no upgrade check (no network). */
  const krewEnv = (root: string, extra: Record<string, string> = {}): Record<string, string> => ({
    PATH: [join(root, 'bin'), krew, join(repoRoot, '.tools', 'bin'), '/usr/bin', '/bin'].join(':'),
    HOME: root, KREW_ROOT: root, KREW_NO_UPGRADE_CHECK: '1', KUBECONFIG: join(root, 'no-kubeconfig'), ...extra,
  });
  before(() => {
    krew = krewDir();
  });
  after(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  test('krew\'s own validator accepts both manifests, and refuses a broken copy', () => {
    const validate = (file: string) => spawnSync(join(krew, 'validate-krew-manifest'), ['-manifest', file, '-skip-install'], { encoding: 'utf8' });
    for (const plugin of ['canary', 'bluegreen']) {
      const r = validate(join(release, 'krew', `${plugin}.yaml`));
      assert.equal(r.status, 0, `${plugin}: ${r.stderr}`);
      assert.match(r.stderr, /structural validation OK/);
      assert.match(r.stderr, /no overlapping spec\.platform\[\]\.selector/);
    }
    // The control: the validator really reads what we wrote (a duplicated platform is refused).
    const dir = krewRoot();
    const text = readFileSync(join(release, 'krew', 'canary.yaml'), 'utf8');
    const doc = parseAllDocuments(text)[0]!.toJS() as Manifest;
    doc.spec!.platforms!.push(doc.spec!.platforms![0]!);
    writeFileSync(join(dir, 'canary.yaml'), JSON.stringify(doc));
    const broken = validate(join(dir, 'canary.yaml'));
    assert.notEqual(broken.status, 0);
    assert.match(broken.stderr, /overlapping/);
  });

  for (const plugin of ['canary', 'bluegreen']) {
    test(`kubectl krew install --manifest --archive installs ${plugin} from every platform's archive, license included`, () => {
      const manifest = parseAllDocuments(readFileSync(join(release, 'krew', `${plugin}.yaml`), 'utf8'))[0]!.toJS() as Manifest;
      for (const p of manifest.spec!.platforms!) {
        const { os, arch } = p.selector!.matchLabels!;
        const root = krewRoot();
        const r = spawnSync(toolPaths.kubectl, ['krew', 'install', `--manifest=${join(release, 'krew', `${plugin}.yaml`)}`, `--archive=${join(release, basename(p.uri!))}`],
          { encoding: 'utf8', env: krewEnv(root, { KREW_OS: os!, KREW_ARCH: arch! }) });
        assert.equal(r.status, 0, `${os}/${arch}: ${r.stderr}`);
        assert.match(r.stderr, new RegExp(`Installed plugin: ${plugin}`), `${os}/${arch}`);
        const store = join(root, 'store', plugin, manifest.spec!.version!);
        assert.ok(readdirSync(store).some((f) => LICENSE.test(f)), `${os}/${arch}: a license file in ${store}`);
        assert.ok(existsSync(join(root, 'receipts', `${plugin}.yaml`)), `${os}/${arch}: krew's receipt`);
      }
    });
  }

  test('installed by krew on this host, both plugins run through kubectl and kubectl plugin list is clean', () => {
    const root = krewRoot();
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const archive = join(release, `switchyard_v${version}_linux_amd64.tar.gz`);
    for (const plugin of ['canary', 'bluegreen']) {
      const r = spawnSync(toolPaths.kubectl, ['krew', 'install', `--manifest=${join(release, 'krew', `${plugin}.yaml`)}`, `--archive=${archive}`], { encoding: 'utf8', env: krewEnv(root) });
      assert.equal(r.status, 0, r.stderr);
      // krew always notes that it discards a stdin that is not a terminal; any other warning (its bin not on PATH…) fails.
      const warnings = r.stderr.split('\n').filter((l) => /warning/i.test(l) && !/Detected stdin, but discarding it because of --manifest/.test(l));
      assert.deepEqual(warnings, [], 'krew warns about nothing else');
    }
    for (const plugin of ['canary', 'bluegreen']) {
      const r = spawnSync(toolPaths.kubectl, [plugin, 'version'], { encoding: 'utf8', env: krewEnv(root) });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `kubectl-${plugin} ${version}\n`);
    }
    const list = spawnSync(toolPaths.kubectl, ['plugin', 'list'], { encoding: 'utf8', env: krewEnv(root) });
    assert.equal(list.status, 0, list.stderr);
    assert.doesNotMatch(list.stderr, /warning/i);
    for (const name of ['kubectl-canary', 'kubectl-bluegreen', 'kubectl-krew']) assert.match(list.stdout, new RegExp(`/${name}\n`), name);
    // `kubectl krew list` needs the index (a git clone of krew-index: network), so read krew's receipts instead.
    assert.deepEqual(readdirSync(join(root, 'receipts')).sort(), ['bluegreen.yaml', 'canary.yaml']);
  });
});
