// DESIGN.md invariant 7: the RBAC a user needs is documented as a Role
// (testdata/rbac/role.yaml, explained in docs/rbac.md) and tested with exactly that Role;
// nothing secret is printed.
//
// Helm installs the chart as cluster admin (Helm itself needs more than switchyard does).
// Then ServiceAccounts bound to exactly the documented Roles, through kubeconfigs that hold
// nothing but a token from `kubectl create token`, run:
// - Role `switchyard`: kubectl canary status, run --wait, history, undo;
// - Role `switchyard-read`: switchyard-postrender (by hand and under helm template, Helm 3
//   and 4), kubectl canary status, list, history and render; and it cannot run.
// When a verb is missing from a Role, the failing command's stderr names the verb and the
// resource (`… cannot patch resource "deployments" …`), and the assertion shows it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite, test, type TestContext } from 'node:test';
import { parseAllDocuments } from 'yaml';
import {
  assertOk, chartDir, deployChart, freshNamespace, getJson, helm, kubectl, postRendererFlags, repoRoot, run,
  serviceAccountKubeconfig, type HelmMajor, type RunOptions, type RunResult,
} from './harness.ts';

const roleFile = join(repoRoot, 'testdata', 'rbac', 'role.yaml');
const postRenderer = join(repoRoot, 'dist', 'switchyard-postrender');
const VERSION = 'switchyard.dev/version';

interface Service { spec: { selector?: Record<string, string> } }
interface RolloutStatus { phase: string; stable: string; canary?: string }
interface KubeEvent { reason: string; source?: { component?: string }; involvedObject: { name: string } }

/** `helm upgrade --install web` as cluster admin, with the post-renderer. */
function deploy(major: HelmMajor, ns: string, version: string): Promise<RunResult> {
  return deployChart(major, ns, version);
}

/** The names of the Roles in testdata/rbac/role.yaml. */
function documentedRoles(): string[] {
  return parseAllDocuments(readFileSync(roleFile, 'utf8')).map((d) => (d.toJS() as { kind: string; metadata: { name: string } }))
    .filter((o) => o.kind === 'Role').map((o) => o.metadata.name);
}

/** Someone who runs commands with a kubeconfig that holds only a ServiceAccount token. */
interface Identity {
  name: string;
  token: string;
  /** Every command this identity ran, to check that none printed the token. */
  outputs: { what: string; result: RunResult }[];
  kubectl(args: string[], what: string, opts?: RunOptions): Promise<RunResult>;
  run(cmd: string, args: string[], what: string, opts?: RunOptions): Promise<RunResult>;
}

/**
 * Creates ServiceAccount `name` bound to the documented Role `role` (applied from
 * testdata/rbac/role.yaml as is), and a kubeconfig with the cluster of the admin
 * kubeconfig and a token from `kubectl create token` as its only credential.
 */
async function asServiceAccount(t: TestContext, ns: string, name: string, role: string): Promise<Identity> {
  const binding = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role }, subjects: [{ kind: 'ServiceAccount', name, namespace: ns }] },
  ];
  assertOk(await kubectl(['-n', ns, 'apply', '-f', '-'], { input: binding.map((o) => JSON.stringify(o)).join('\n') }), `ServiceAccount ${name} bound to Role ${role}`);
  const { path, token } = await serviceAccountKubeconfig(t, ns, name);
  const outputs: Identity['outputs'] = [];
  const identity: Identity = {
    name,
    token,
    outputs,
    async run(cmd, args, what, opts = {}) {
      const result = await run(cmd, args, { ...opts, env: { ...opts.env, KUBECONFIG: path } });
      outputs.push({ what, result });
      return result;
    },
    kubectl(args, what, opts = {}) {
      return identity.run(join(repoRoot, '.tools', 'bin', 'kubectl'), args, what, opts);
    },
  };
  // The kubeconfig really is the ServiceAccount, not the admin.
  const whoami = await identity.kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], 'kubectl auth whoami');
  assertOk(whoami, 'kubectl auth whoami');
  assert.equal(whoami.stdout, `system:serviceaccount:${ns}:${name}`);
  return identity;
}

/** Asserts that no command `who` ran printed its token, nor the token's signature alone. */
function assertTokenNeverPrinted(who: Identity): void {
  const signature = who.token.split('.').at(-1)!;
  assert.ok(signature.length >= 16, 'the token is a JWT with a signature');
  const leaks = who.outputs.filter(({ result }) => [result.stdout, result.stderr].some((text) => text.includes(who.token) || text.includes(signature)));
  assert.deepEqual(leaks.map((l) => l.what), [], `${who.name}'s token was printed by these commands`);
}

async function selected(ns: string): Promise<string | undefined> {
  return (await getJson<Service>(ns, 'service', 'web')).spec.selector?.[VERSION];
}

suite('the documented Roles are enough, and nothing prints the token (invariant 7)', { concurrency: true }, () => {
  test('Role switchyard: kubectl canary status, run --wait, history and undo', async (t) => {
    const ns = await freshNamespace(t);
    assert.deepEqual(documentedRoles().sort(), ['switchyard', 'switchyard-read']);
    assertOk(await kubectl(['-n', ns, 'apply', '-f', roleFile]), 'kubectl apply -f testdata/rbac/role.yaml');
    assertOk(await deploy(3, ns, '1.0.0'), 'admin: helm install 1.0.0');
    assertOk(await deploy(3, ns, '2.0.0'), 'admin: helm upgrade 2.0.0');
    const sa = await asServiceAccount(t, ns, 'deployer', 'switchyard');

    // Exactly the Role: the ServiceAccount can do nothing it does not grant.
    const secrets = await sa.kubectl(['-n', ns, 'get', 'secrets'], 'kubectl get secrets (not in the Role)');
    assert.notEqual(secrets.code, 0, 'the Role does not grant secrets');
    assert.match(secrets.stderr, /forbidden/);

    const pending = await sa.kubectl(['canary', 'status', 'web', '-n', ns, '-o', 'json'], 'status');
    assertOk(pending, 'status as the Role switchyard');
    assert.equal((JSON.parse(pending.stdout) as RolloutStatus).canary, '2.0.0');

    const ran = await sa.kubectl(['canary', 'run', 'web', '--wait', '--scale-down-delay', '0', '-n', ns], 'run --wait', { timeoutMs: 90_000 });
    assertOk(ran, 'run --wait --scale-down-delay 0 as the Role switchyard');
    assert.equal(await selected(ns), '2.0.0');

    const history = await sa.kubectl(['canary', 'history', 'web', '-n', ns, '-o', 'json'], 'history');
    assertOk(history, 'history as the Role switchyard');
    const events = (JSON.parse(history.stdout) as { entries: { event: string; version?: string }[] }).entries;
    assert.ok(events.some((e) => e.event === 'Promoted' && e.version === '2.0.0'), `history: ${history.stdout}`);

    const undo = await sa.kubectl(['canary', 'undo', 'web', '-n', ns], 'undo', { timeoutMs: 90_000 });
    assertOk(undo, 'undo as the Role switchyard');
    assert.equal(await selected(ns), '1.0.0');
    const after = await sa.kubectl(['canary', 'status', 'web', '-n', ns, '-o', 'json'], 'status after undo');
    assertOk(after, 'status after undo');
    assert.equal((JSON.parse(after.stdout) as RolloutStatus).stable, '1.0.0');

    // Events are best effort, so a missing `create events` would fail silently: look for them.
    const recorded = await getJson<{ items: KubeEvent[] }>(ns, 'events', '--field-selector', 'involvedObject.name=switchyard.web');
    const reasons = recorded.items.filter((e) => e.source?.component === 'switchyard').map((e) => e.reason);
    assert.ok(reasons.includes('Promoted') && reasons.includes('Undo'), `the run and the undo recorded Events (got: ${reasons.join(', ')})`);

    assertTokenNeverPrinted(sa);
  });

  test('Role switchyard-read: the post-renderer under helm 3 and 4, status, list, history and render; it cannot run', async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await kubectl(['-n', ns, 'apply', '-f', roleFile]), 'kubectl apply -f testdata/rbac/role.yaml');
    // An app with a history: 2.0.0 promoted over 1.0.0, by the admin.
    assertOk(await deploy(3, ns, '1.0.0'), 'admin: helm install 1.0.0');
    assertOk(await deploy(3, ns, '2.0.0'), 'admin: helm upgrade 2.0.0');
    assertOk(await kubectl(['canary', 'run', 'web', '--wait', '--scale-down-delay', '0', '-n', ns], { timeoutMs: 90_000 }), 'admin: run');
    const reader = await asServiceAccount(t, ns, 'reader', 'switchyard-read');
    const values = ['--set', 'httpRoute.enabled=true', '--set', 'image.tag=3.0.0'];

    // The post-renderer by hand: it reads the live stable version (2.0.0) with the read-only Role.
    const template = await helm(3, ['template', 'web', chartDir, '-n', ns, ...values]);
    assertOk(template, 'helm template (no post-renderer)');
    const rendered = await reader.run(postRenderer, ['--namespace', ns], 'switchyard-postrender', { input: template.stdout });
    assertOk(rendered, 'switchyard-postrender as the Role switchyard-read');
    assert.match(rendered.stdout, /name: web-3-0-0\n/);
    assert.match(rendered.stdout, /switchyard\.dev\/version: "?2\.0\.0"?\n/, 'the stable Service still selects 2.0.0');

    // Under helm template, as Helm runs it (Helm 4: the plugin).
    for (const major of [3, 4] as const) {
      const helmBinary = join(repoRoot, '.tools', major === 3 ? 'helm3' : 'helm4', 'helm');
      const underHelm = await reader.run(helmBinary, ['template', 'web', chartDir, '-n', ns, ...values, ...postRendererFlags(major)], `helm ${major} template --post-renderer`,
        { env: major === 4 ? { HELM_PLUGINS: join(repoRoot, 'plugins') } : {} });
      assertOk(underHelm, `helm ${major} template --post-renderer as the Role switchyard-read`);
      assert.match(underHelm.stdout, /name: web-3-0-0\n/);
    }

    const status = await reader.kubectl(['canary', 'status', 'web', '-n', ns, '-o', 'json'], 'status');
    assertOk(status, 'status as the Role switchyard-read');
    assert.equal((JSON.parse(status.stdout) as RolloutStatus).stable, '2.0.0');
    assertOk(await reader.kubectl(['canary', 'list', '-n', ns], 'list'), 'list -n as the Role switchyard-read');
    const history = await reader.kubectl(['canary', 'history', 'web', '-n', ns], 'history');
    assertOk(history, 'history as the Role switchyard-read');
    assert.match(history.stdout, /Promoted/);
    const render = await reader.kubectl(['canary', 'render', '-n', ns], 'render', { input: template.stdout });
    assertOk(render, 'kubectl canary render as the Role switchyard-read');
    assert.match(render.stdout, /name: web-3-0-0\n/);

    // Read-only means read-only: a run is refused, and says which permission is missing.
    assertOk(await deploy(3, ns, '3.0.0'), 'admin: helm upgrade 3.0.0');
    const refused = await reader.kubectl(['canary', 'run', 'web', '-n', ns], 'run (refused)', { timeoutMs: 60_000 });
    assert.notEqual(refused.code, 0, `run must fail with the read-only Role\nstdout: ${refused.stdout}`);
    assert.match(refused.stderr, /cannot \w+ resource "\w+"/, 'the error names the verb and the resource');
    assert.equal(await selected(ns), '2.0.0', 'the refused run moved no traffic');

    assertTokenNeverPrinted(reader);
  });
});
