// Secrets (issue 14, DESIGN.md invariant 7): a ServiceAccount token and the admin
// kubeconfig's client key never appear in anything the commands print (stdout and
// stderr, successes and failures: a rejected token, an API error), in the Events they
// record, in the rollout state or in the Lease.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertOk, kubeconfigPath, kubectl, repoRoot, run, serviceAccountKubeconfig } from '../e2e/harness.ts';
import type { RunResult } from '../e2e/harness.ts';
import { cliFor } from './crash-scenarios.ts';
import { startFaultProxy } from './fault-proxy.ts';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-secrets-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** The lines of a PEM body long enough to be unmistakable. */
const pemLines = (pem: string): string[] => pem.split('\n').filter((l) => l.length >= 40 && !l.startsWith('-----'));

test('no token or key appears in output, Events, state or Lease', async (t) => {
  const cli = await cliFor(t, dir);
  const ns = cli.ns;
  assertOk(await kubectl(['-n', ns, 'create', 'serviceaccount', 'deployer']), 'create serviceaccount');
  assertOk(await kubectl(['-n', ns, 'create', 'rolebinding', 'deployer', '--clusterrole=cluster-admin', `--serviceaccount=${ns}:deployer`]), 'create rolebinding');
  const { path, token } = await serviceAccountKubeconfig(t, ns, 'deployer');
  const canary = (args: string[], kubeconfig = path): Promise<RunResult> => run(join(repoRoot, 'dist', 'kubectl-canary'), [...args, '-n', ns], { env: { KUBECONFIG: kubeconfig } });
  const captured: { what: string; result: RunResult }[] = [];
  const step = async (what: string, args: string[], kubeconfig?: string): Promise<RunResult> => {
    const result = await canary(args, kubeconfig);
    captured.push({ what, result });
    return result;
  };
  assertOk(await step('apply 1.0.0', ['apply', '-f', cli.fileFor('1.0.0'), '--version', '1.0.0']));
  assertOk(await step('apply 2.0.0', ['apply', '-f', cli.fileFor('2.0.0'), '--version', '2.0.0']));
  assertOk(await step('run --wait', ['run', 'web', '--wait', '--steps', '50,100', '--scale-down-delay', '0']));
  assertOk(await step('status -o json', ['status', 'web', '-o', 'json']));
  assertOk(await step('history -o yaml', ['history', 'web', '-o', 'yaml']));
  // A rejected token: the error must not quote it.
  const bad = join(dir, `bad-${ns}.kubeconfig`);
  writeFileSync(bad, readFileSync(path, 'utf8').replace(token, `${token}x`));
  const rejected = await step('status with a rejected token', ['status', 'web'], bad);
  assert.equal(rejected.code, 4, rejected.stderr);
  // An API error in the middle of a write: the error must not quote the request.
  const proxy = await startFaultProxy(kubeconfigPath, dir, [{ verb: 'write', times: Infinity, fault: { kind: 'status', status: 500 } }]);
  t.after(() => proxy.close());
  const failed = await step('undo through failing writes', ['undo', 'web'], proxy.kubeconfig);
  assert.notEqual(failed.code, 0);

  const events = await kubectl(['-n', ns, 'get', 'events', '-o', 'json']);
  const state = await kubectl(['-n', ns, 'get', 'configmap', 'switchyard.web', '-o', 'json']);
  const lease = await kubectl(['-n', ns, 'get', 'lease', 'switchyard.web', '-o', 'json']);
  const everything = [...captured.flatMap((c) => [[`${c.what} stdout`, c.result.stdout], [`${c.what} stderr`, c.result.stderr]]), ['Events', events.stdout], ['state', state.stdout], ['Lease', lease.stdout]];
  const secrets = [['the ServiceAccount token', token], ...pemLines(readFileSync(join(repoRoot, '.cluster', 'pki', 'admin.key'), 'utf8')).map((l) => ['a line of the admin client key', l])];
  let bytes = 0;
  for (const [where, text] of everything) {
    bytes += text!.length;
    for (const [what, secret] of secrets) assert.ok(!text!.includes(secret!), `${what} appears in ${where}`);
    assert.ok(!/Bearer\s+\S{20,}/.test(text!), `a bearer header appears in ${where}`);
  }
  t.diagnostic(`${everything.length} captures (${bytes} bytes) searched for ${secrets.length} secrets`);
  assert.ok(events.stdout.includes('Promoted'), 'the Events were captured');
});
