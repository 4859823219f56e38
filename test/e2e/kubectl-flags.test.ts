// kubectl's global connection flags, end to end: `kubectl canary` and `kubectl bluegreen`
// reach the local cluster with KUBECONFIG pointed at an empty file, from the command line
// alone: `--server` with `--certificate-authority` and the admin client certificate
// (taken from the local cluster's kubeconfig), `--server` with `--token` of a
// ServiceAccount bound to the documented read-only Role, and `--as` impersonation (the API
// server's answer proves the header arrived). The traffic goes to the local cluster's API
// on 127.0.0.1 only.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, suite, test, type TestContext } from 'node:test';
import { assertOk, freshNamespace, kubectl, repoRoot, run, type RunResult } from './harness.ts';

interface Flat {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
}

/** The local cluster's address and PEM files, and an empty kubeconfig, in a directory removed after the suite. */
let files = { dir: '', server: '', ca: '', cert: '', key: '', empty: '' };

const manifest = [
  'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: web}', 'spec:', '  selector: {matchLabels: {app: web}}',
  '  template:', '    metadata: {labels: {app: web}}', '    spec: {containers: [{name: web, image: "registry.example/web:1.0.0"}]}',
  '---', 'apiVersion: v1', 'kind: Service', 'metadata: {name: web}', 'spec: {selector: {app: web}, ports: [{port: 80}]}', '',
].join('\n');

/** `kubectl <plugin> <args>` through kubectl, with KUBECONFIG an empty file: the flags are all it has. */
function plugin(name: 'canary' | 'bluegreen', args: string[], input?: string): Promise<RunResult> {
  return kubectl([name, ...args], { env: { KUBECONFIG: files.empty }, ...(input === undefined ? {} : { input }) });
}

const certFlags = (): string[] => [`--server=${files.server}`, `--certificate-authority=${files.ca}`, `--client-certificate=${files.cert}`, `--client-key=${files.key}`];

suite('kubectl global flags with an empty kubeconfig', () => {
  before(async () => {
    const view = await kubectl(['config', 'view', '--raw', '--minify', '--flatten', '-o', 'json']);
    assertOk(view, 'kubectl config view');
    const flat = JSON.parse(view.stdout) as Flat;
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-flags-'));
    const write = (name: string, base64: string): string => {
      writeFileSync(join(dir, name), Buffer.from(base64, 'base64'), { mode: 0o600 });
      return join(dir, name);
    };
    files = {
      dir,
      server: flat.clusters[0]!.cluster.server,
      ca: write('ca.crt', flat.clusters[0]!.cluster['certificate-authority-data']),
      cert: write('admin.crt', flat.users[0]!.user['client-certificate-data']),
      key: write('admin.key', flat.users[0]!.user['client-key-data']),
      empty: join(dir, 'empty-kubeconfig'),
    };
    writeFileSync(files.empty, '');
    assert.match(files.server, /^https:\/\/127\.0\.0\.1:\d+$/, 'the local cluster is on loopback');
    assert.ok(readFileSync(files.ca, 'utf8').startsWith('-----BEGIN CERTIFICATE-----'));
  });
  after(() => rmSync(files.dir, { recursive: true, force: true }));

  test('--server, --certificate-authority and the client certificate: apply, status and list succeed', async (t: TestContext) => {
    const ns = await freshNamespace(t);
    const refused = await plugin('canary', ['list', '-n', ns]);
    assert.equal(refused.code, 4, `without flags there is no cluster: ${refused.stderr}`);
    assert.match(refused.stderr, /kubeconfig/);

    assertOk(await plugin('canary', ['apply', '-f', '-', '-n', ns, ...certFlags()], manifest), 'kubectl canary apply');
    const status = await plugin('canary', ['status', 'web', '-n', ns, '-o', 'json', ...certFlags()]);
    assertOk(status, 'kubectl canary status');
    const body = JSON.parse(status.stdout) as { app: string; namespace: string; stable: string };
    assert.deepEqual([body.app, body.namespace, body.stable], ['web', ns, '1.0.0']);
    const list = await plugin('canary', ['list', '-n', ns, '-o', 'json', ...certFlags()]);
    assertOk(list, 'kubectl canary list');
    assert.match(list.stdout, /"app": "web"/);
    assertOk(await plugin('bluegreen', ['versions', 'web', '-n', ns, ...certFlags()]), 'kubectl bluegreen versions');
  });

  test('--server and --token of a ServiceAccount with the read-only Role: status and list succeed, a write is forbidden', async (t: TestContext) => {
    const ns = await freshNamespace(t);
    assertOk(await plugin('canary', ['apply', '-f', '-', '-n', ns, ...certFlags()], manifest), 'kubectl canary apply');
    assertOk(await kubectl(['-n', ns, 'apply', '-f', join(repoRoot, 'testdata', 'rbac', 'role.yaml')]), 'apply the documented Roles');
    assertOk(await kubectl(['-n', ns, 'create', 'serviceaccount', 'reader']));
    assertOk(await kubectl(['-n', ns, 'create', 'rolebinding', 'reader', '--role=switchyard-read', `--serviceaccount=${ns}:reader`]));
    const token = await kubectl(['-n', ns, 'create', 'token', 'reader', '--duration=10m']);
    assertOk(token, 'kubectl create token');
    const tokenFlags = [`--server=${files.server}`, `--certificate-authority=${files.ca}`, `--token=${token.stdout.trim()}`];

    const status = await plugin('canary', ['status', 'web', '-n', ns, ...tokenFlags]);
    assertOk(status, 'kubectl canary status --token');
    assert.match(status.stdout, /web/);
    assertOk(await plugin('canary', ['list', '-n', ns, ...tokenFlags]), 'kubectl canary list --token');
    const write = await plugin('canary', ['abort', 'web', '-n', ns, ...tokenFlags]);
    assert.equal(write.code, 4, `the read-only Role cannot abort: ${write.stderr}`);
    assert.match(write.stderr, new RegExp(`system:serviceaccount:${ns}:reader`), 'the API server saw the token\'s identity');
    assert.doesNotMatch(write.stderr + write.stdout, new RegExp(token.stdout.trim().slice(-20)), 'the token is never printed');
  });

  test('--as impersonates: as the reader the admin certificate may read; as a stranger it is forbidden', async (t: TestContext) => {
    const ns = await freshNamespace(t);
    assertOk(await kubectl(['-n', ns, 'apply', '-f', join(repoRoot, 'testdata', 'rbac', 'role.yaml')]), 'apply the documented Roles');
    assertOk(await kubectl(['-n', ns, 'create', 'rolebinding', 'reader', '--role=switchyard-read', '--user=reader@example.com']));
    assertOk(await plugin('canary', ['list', '-n', ns, '--as=reader@example.com', '--as-group=system:authenticated', ...certFlags()]), 'list as the reader');
    const stranger = await plugin('canary', ['list', '-n', ns, '--as=stranger@example.com', ...certFlags()]);
    assert.equal(stranger.code, 4, stranger.stderr);
    assert.match(stranger.stderr, /stranger@example\.com/);
  });

  test('flags after the plugin name that only kubectl itself uses are accepted', async () => {
    const r = await run(join(repoRoot, '.tools', 'bin', 'kubectl'), ['bluegreen', 'version', '-v=6', '--vmodule=x=2', '--profile=none', '--cache-dir=/tmp', '--warnings-as-errors', '--match-server-version'], { env: { KUBECONFIG: files.empty } });
    assertOk(r, 'kubectl bluegreen version with kubectl-only flags');
    assert.match(r.stdout, /^kubectl-bluegreen /);
  });
});
