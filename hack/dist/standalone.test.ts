// The linux-amd64 standalone binary from `npm run dist`, as a user gets it: unpacked from
// its release archive into an empty directory and run with no Node.js anywhere (`env -i`),
// by each name it serves, against the local cluster. `npm run test:dist` builds the
// archive first; this file is not part of `npm test` because that build takes ~30 s.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, suite, test } from 'node:test';
// @ts-expect-error -- a plain .mjs build script without types
import { loadScript as loadScriptUntyped } from '../build/code-cache.mjs';
import { assertOk, freshNamespace, kubeconfigPath, kubectl, repoRoot, toolPaths } from '../../test/e2e/harness.ts';

const loadScript = loadScriptUntyped as (file: string, cachedData?: Buffer) => { script: { cachedDataRejected?: boolean } };
const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const release = join(repoRoot, 'release');
const archive = join(release, `switchyard_v${version}_linux_amd64.tar.gz`);
const NAMES = ['kubectl-canary', 'kubectl-bluegreen', 'switchyard-postrender', 'kubectl-rollout_canary'];

let dir = '';

/** Runs `name` from the unpacked archive with an empty environment (PATH: only that directory) plus `env`. */
function bare(name: string, args: string[], opts: { env?: Record<string, string>; input?: string } = {}) {
  const vars = Object.entries({ PATH: dir, KUBECONFIG: kubeconfigPath, ...opts.env }).map(([k, v]) => `${k}=${v}`);
  const r = spawnSync('/usr/bin/env', ['-i', ...vars, join(dir, name), ...args], { encoding: 'utf8', input: opts.input ?? '', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const manifest = (tag: string) => [
  'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: web}', 'spec:', '  selector: {matchLabels: {app: web}}',
  '  template:', '    metadata: {labels: {app: web}}', `    spec: {containers: [{name: web, image: "registry.example/web:${tag}"}]}`,
  '---', 'apiVersion: v1', 'kind: Service', 'metadata: {name: web}', 'spec: {selector: {app: web}, ports: [{port: 80}]}', '',
].join('\n');

suite('the linux-amd64 standalone binary', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-standalone-'));
    execFileSync('tar', ['-xzf', archive, '-C', dir]);
    for (const name of NAMES) symlinkSync('switchyard', join(dir, name));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the archive matches its .sha256 and holds regular files only, the programs executable', () => {
    const [sum, file] = readFileSync(`${archive}.sha256`, 'utf8').trim().split(/\s+/);
    assert.equal(file, `switchyard_v${version}_linux_amd64.tar.gz`);
    assert.equal(createHash('sha256').update(readFileSync(archive)).digest('hex'), sum);
    const listing = execFileSync('tar', ['-tvzf', archive], { encoding: 'utf8' }).trim().split('\n');
    const entries = new Map(listing.map((line) => [line.split(/\s+/).pop()!, line[0] === '-' ? line.slice(0, 10) : line[0]!]));
    assert.deepEqual([...entries.keys()].sort(), ['LICENSE', 'README.md', 'kubectl_complete-bluegreen', 'kubectl_complete-canary', 'switchyard']);
    for (const exe of ['switchyard', 'kubectl_complete-canary', 'kubectl_complete-bluegreen']) assert.equal(entries.get(exe), '-rwxr-xr-x', exe);
    assert.ok(lstatSync(join(dir, 'switchyard')).size > 50e6, 'switchyard carries its Node.js runtime');
  });

  test('every name answers version with no Node.js and an empty environment', () => {
    assert.notEqual(spawnSync('/usr/bin/env', ['-i', `PATH=${dir}`, '/bin/sh', '-c', 'command -v node'], { encoding: 'utf8' }).status, 0, 'no node on PATH');
    for (const [name, args, want] of [
      ['kubectl-canary', ['version'], `kubectl-canary ${version}\n`],
      ['kubectl-rollout_canary', ['version'], `kubectl-canary ${version}\n`],
      ['kubectl-bluegreen', ['version'], `kubectl-bluegreen ${version}\n`],
      ['switchyard-postrender', ['--version-info'], `switchyard-postrender ${version}\n`],
      ['switchyard', ['postrender', '--version-info'], `switchyard-postrender ${version}\n`],
    ] as const) {
      const r = bare(name, [...args]);
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.equal(r.stdout, want, name);
      assert.equal(r.stderr, '', `${name} writes nothing to stderr (no SEA or require warnings)`);
    }
  });

  test('--help lists the commands; an unknown name is one line and exit 2', () => {
    const help = bare('kubectl-canary', ['--help']);
    assert.equal(help.code, 0, help.stderr);
    for (const command of ['run', 'status', 'promote', 'abort', 'undo', 'completion']) assert.match(help.stdout, new RegExp(`kubectl canary ${command}`));
    const bad = bare('switchyard', ['nope']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  });

  test('the post-renderer, then status against the local cluster, with and without client-node', async (t) => {
    const ns = await freshNamespace(t);
    const rendered = bare('switchyard-postrender', ['--offline'], { input: manifest('1.0.0') });
    assert.equal(rendered.code, 0, rendered.stderr);
    assert.match(rendered.stdout, /name: web-1-0-0/);
    assertOk(await kubectl(['-n', ns, 'apply', '-f', '-'], { input: rendered.stdout }));

    const loaders: Record<string, string>[] = [{}, { SWITCHYARD_KUBECONFIG_LOADER: 'client-node' }];
    for (const loader of loaders) {
      const status = bare('kubectl-canary', ['status', 'web', '-n', ns, '-o', 'json'], { env: loader });
      assert.equal(status.code, 0, status.stderr);
      const body = JSON.parse(status.stdout) as { app: string; stable: string; namespace: string };
      assert.deepEqual([body.app, body.namespace, body.stable], ['web', ns, '1.0.0'], JSON.stringify(loader));
    }
  });

  test('kubectl finds the plugins by name, plugin list is clean, and the completion shim answers', () => {
    const env = { PATH: `${dir}:${join(repoRoot, '.tools', 'bin')}:/usr/bin:/bin`, KUBECONFIG: kubeconfigPath };
    const through = spawnSync(toolPaths.kubectl, ['bluegreen', 'version'], { encoding: 'utf8', env });
    assert.equal(through.status, 0, through.stderr);
    assert.equal(through.stdout, `kubectl-bluegreen ${version}\n`);
    const list = spawnSync(toolPaths.kubectl, ['plugin', 'list'], { encoding: 'utf8', env });
    assert.equal(list.status, 0, list.stderr);
    assert.doesNotMatch(list.stderr, /warning/);
    for (const name of ['kubectl-canary', 'kubectl-bluegreen']) assert.match(list.stdout, new RegExp(`${dir}/${name}\\n`));
    const complete = spawnSync(join(dir, 'kubectl_complete-canary'), [''], { encoding: 'utf8', env });
    assert.equal(complete.status, 0, complete.stderr);
    for (const command of ['run', 'status', 'promote']) assert.match(complete.stdout, new RegExp(`^${command}\t`, 'm'));
    assert.match(complete.stdout, /\n:4\n$/, 'cobra\'s directive line: no file names');
    // What kubectl >= 1.26 does for `kubectl canary st<TAB>`: it runs kubectl_complete-canary from PATH.
    const viaKubectl = spawnSync(toolPaths.kubectl, ['__complete', 'canary', 'st'], { encoding: 'utf8', env });
    assert.equal(viaKubectl.status, 0, viaKubectl.stderr);
    assert.match(viaKubectl.stdout, /^status\tShow the rollout/m);
  });

  test('the Helm 4 plugin archive installs with helm plugin install and post-renders helm template', () => {
    const home = mkdtempSync(join(tmpdir(), 'switchyard-helm-'));
    try {
      const env = { PATH: '/usr/bin:/bin', HOME: home, HELM_DATA_HOME: join(home, 'data'), HELM_CONFIG_HOME: join(home, 'config'), HELM_CACHE_HOME: join(home, 'cache') };
      const plugin = join(release, 'helm', 'linux-amd64', `switchyard-${version}.tgz`);
      const install = spawnSync(toolPaths.helm4, ['plugin', 'install', plugin, '--verify=false'], { encoding: 'utf8', env });
      assert.equal(install.status, 0, install.stderr);
      const list = spawnSync(toolPaths.helm4, ['plugin', 'list'], { encoding: 'utf8', env });
      assert.match(list.stdout, new RegExp(`switchyard\\s+${version.replaceAll('.', '\\.')}\\s+postrenderer/v1`));
      const rendered = spawnSync(toolPaths.helm4, ['template', 'web', join(repoRoot, 'testdata', 'chart'), '--set', 'image.tag=2.0.0',
        '--post-renderer', 'switchyard', '--post-renderer-args=--offline'], { encoding: 'utf8', env });
      assert.equal(rendered.status, 0, rendered.stderr);
      assert.match(rendered.stdout, /name: web-2-0-0/);
      assert.match(rendered.stdout, /switchyard\.dev\/version: 2\.0\.0/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  test('the code cache the blob carries is accepted by the V8 that runs it', () => {
    // The linux-amd64 runtime is the blob writer, the same Node.js as this test's (both 24.21.0,
    // hack/dist/runtimes.mjs): a rejected cache would cost every start its compile, silently.
    const script = join(release, 'bundle', 'switchyard.cjs');
    const cache = readFileSync(join(release, 'stage', 'linux-amd64', 'switchyard.cache'));
    assert.equal(loadScript(script, cache).script.cachedDataRejected, false);
  });
});
