// API faults (issue 14): `kubectl canary run --wait` through a fault-injecting proxy of
// our own in front of the local API server. With transient faults (409, 429 with
// Retry-After, 500, 503, resets, stalls, cut watches) the rollout completes; with a fault
// that does not go away, the command exits with one line naming the bound on attempts,
// says how to resume, and the re-run (without faults) converges.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import type { TestContext } from 'node:test';
import { assertOk, deployChart, freshNamespace, kubeconfigPath, repoRoot, run, storedState } from '../e2e/harness.ts';
import type { RunResult } from '../e2e/harness.ts';
import { startFaultProxy } from './fault-proxy.ts';
import type { FaultProxy, FaultRule } from './fault-proxy.ts';

interface State { phase: string; stable: string; canary?: string; weight: number }

/** A proxy for one test, closed after it. */
export async function proxyFor(t: TestContext, rules: FaultRule[] = []): Promise<FaultProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-faults-'));
  const proxy = await startFaultProxy(kubeconfigPath, dir, rules);
  t.after(async () => {
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return proxy;
}

/** The built `kubectl-canary` through `proxy`, with a short request timeout so stalls end soon. */
export function canaryVia(proxy: FaultProxy, ns: string, args: string[], timeoutMs = 120_000): Promise<RunResult> {
  return run(join(repoRoot, 'dist', 'kubectl-canary'), [...args, '-n', ns, '--request-timeout', '2s'], { env: { KUBECONFIG: proxy.kubeconfig }, timeoutMs });
}

const STEPS = ['--steps', '10,pause:2s,50,100', '--scale-down-delay', '0'];

suite('API faults', { concurrency: true }, () => {
  test('a canary run completes through 409, 429 with Retry-After, 500, 503, resets, stalls and cut watches', async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await deployChart(3, ns, '1.0.0'), 'install 1.0.0');
    assertOk(await deployChart(3, ns, '2.0.0'), 'upgrade to 2.0.0');
    const proxy = await proxyFor(t, [
      { verb: 'read', path: /\/deployments/, nth: 1, fault: { kind: 'status', status: 429, retryAfterSeconds: 1 } },
      { verb: 'read', path: /\/services/, nth: 1, fault: { kind: 'status', status: 503 } },
      { verb: 'read', path: /\/configmaps/, nth: 2, fault: { kind: 'status', status: 500 } },
      { verb: 'read', path: /\/leases/, nth: 1, fault: { kind: 'reset' } },
      { verb: 'read', path: /\/httproutes/, nth: 2, fault: { kind: 'stall', ms: 3_000 } },
      { verb: 'PATCH', path: /\/deployments\//, nth: 1, fault: { kind: 'status', status: 503, retryAfterSeconds: 1 } },
      { verb: 'PATCH', path: /\/services\//, nth: 1, fault: { kind: 'reset-after' } },
      { verb: 'PUT', path: /\/configmaps\//, nth: 2, fault: { kind: 'status', status: 409 } },
      { verb: 'watch', times: Infinity, fault: { kind: 'cut-watch', ms: 300 } },
    ]);
    const result = await canaryVia(proxy, ns, ['run', 'web', '--wait', ...STEPS]);
    t.diagnostic(`faults injected: ${JSON.stringify(Object.fromEntries(proxy.injected))}; requests: ${proxy.log.length}; writes: ${proxy.writes}`);
    assertOk(result, 'run --wait through faults');
    const state = await storedState<State>(ns);
    assert.equal(state.phase, 'Healthy');
    assert.equal(state.stable, '2.0.0');
    for (const kind of ['status 429', 'status 503', 'status 500', 'status 409', 'reset', 'reset-after', 'stall', 'cut-watch']) {
      assert.ok((proxy.injected.get(kind) ?? 0) > 0, `a ${kind} fault was injected`);
    }
  });

  test('a fault that does not go away ends the command after bounded attempts, with how to resume; the re-run converges', async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await deployChart(3, ns, '1.0.0'), 'install 1.0.0');
    assertOk(await deployChart(3, ns, '2.0.0'), 'upgrade to 2.0.0');
    const proxy = await proxyFor(t, [{ verb: 'PATCH', path: /\/httproutes\//, times: Infinity, fault: { kind: 'status', status: 503, retryAfterSeconds: 0 } }]);
    const failed = await canaryVia(proxy, ns, ['run', 'web', '--wait', ...STEPS]);
    assert.notEqual(failed.code, 0, `must fail\nstderr: ${failed.stderr}`);
    assert.match(failed.stderr, /HTTPRoute .*: injected by the fault proxy \(503\) \(gave up after 5 attempts\)/);
    assert.match(failed.stderr, /run it again to resume: kubectl canary run web --wait --steps 10,pause:2s,50,100 --scale-down-delay 0 -n \S+ --request-timeout 2s/);
    assert.equal(failed.stdout, '', 'no half output on stdout');
    assert.equal(proxy.injected.get('status 503'), 5, 'exactly the bounded number of attempts');
    proxy.setRules([]);
    const again = await canaryVia(proxy, ns, ['run', 'web', '--wait', ...STEPS]);
    assertOk(again, 'the re-run without faults');
    const state = await storedState<State>(ns);
    assert.equal(state.phase, 'Healthy');
    assert.equal(state.stable, '2.0.0');
  });
});
