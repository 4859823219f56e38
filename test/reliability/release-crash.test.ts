// Crash consistency of a release-level run (issue 9): `kubectl canary run --release trio`
// drives three apps of one Helm release (two behind Services, a worker without one). It is
// SIGKILLed right after the API server ran one of its writes, then run again straight to
// the cluster; the re-run must succeed and every app's invariants hold on 2.0.0.
//
// `npm test` kills after a representative write: the second (its first real change after
// taking a Lease) and one in the middle of the stepping. `npm run test:crash`
// (SWITCHYARD_CRASH=all) counts the run's writes and kills after every one of them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import type { TestContext } from 'node:test';
import { openKube } from '../../pkg/kube/open.ts';
import { assertOk, canary, freshNamespace, helm, kubeconfigPath, postRendererFlags, repoRoot, spawnChild } from '../e2e/harness.ts';
import { proxyFor } from './crash-scenarios.ts';
import { brokenInvariants } from './invariants.ts';

const ALL = process.env.SWITCHYARD_CRASH === 'all';
/** `SWITCHYARD_CRASH_POINTS=release:31,32` runs only those kill points (to reproduce one), as crash.test.ts does per command. */
const ONLY = /(?:^|;)release:([\d,]+)/.exec(process.env.SWITCHYARD_CRASH_POINTS ?? '')?.[1]?.split(',').filter((k) => k !== '').map(Number);
const CHART = join(repoRoot, 'testdata', 'charts', 'trio');
const APPS = [{ app: 'trio-api' }, { app: 'trio-frontend' }, { app: 'trio-worker', serviceless: true }];
const RUN = ['run', '--release', 'trio', '--wait', '--steps', '50,100', '--scale-down-delay', '0'];
const dir = mkdtempSync(join(tmpdir(), 'switchyard-release-crash-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** A namespace with the release installed at 1.0.0 and upgraded to 2.0.0 (all three apps change). */
async function upgraded(t: TestContext): Promise<string> {
  const ns = await freshNamespace(t);
  for (const version of ['1.0.0', '2.0.0']) {
    assertOk(await helm(3, ['upgrade', '--install', 'trio', CHART, '-n', ns, '--set', `image.tag=${version}`, ...postRendererFlags(3)]), `helm ${version}`);
  }
  return ns;
}

/** Every broken invariant of the release's apps, each naming its app. */
async function broken(t: TestContext, ns: string): Promise<string[]> {
  const kube = await openKube({ kubeconfig: kubeconfigPath, namespace: ns });
  t.after(() => kube.close());
  const lists = await Promise.all(APPS.map(async (a) => (await brokenInvariants(kube, ns, a.app, { stable: '2.0.0', serviceless: a.serviceless === true })).map((p) => `${a.app}: ${p}`)));
  return lists.flat();
}

/** The writes of an undisturbed release run (and that it converges). */
async function countWrites(t: TestContext): Promise<number> {
  const ns = await upgraded(t);
  const proxy = await proxyFor(t, dir);
  const child = spawnChild(join(repoRoot, 'dist', 'kubectl-canary'), [...RUN, '-n', ns], { env: { KUBECONFIG: proxy.kubeconfig } });
  const done = await child.exited;
  assert.equal(done.code, 0, done.stderr);
  assert.deepEqual(await broken(t, ns), []);
  return proxy.writes;
}

/** Killed after write `k`, then run again: the problems left (empty when it converged). */
async function killAfterWrite(t: TestContext, k: number): Promise<{ killed: boolean; problems: string[] }> {
  const ns = await upgraded(t);
  const proxy = await proxyFor(t, dir);
  const child = spawnChild(join(repoRoot, 'dist', 'kubectl-canary'), [...RUN, '-n', ns], { env: { KUBECONFIG: proxy.kubeconfig } });
  t.after(() => child.kill('SIGKILL'));
  proxy.onWrite = (n) => {
    if (n === k) child.kill('SIGKILL');
  };
  const first = await child.exited;
  proxy.onWrite = undefined;
  const again = await canary(ns, RUN, { timeoutMs: 120_000 });
  const problems = await broken(t, ns);
  if (again.code !== 0) problems.push(`the re-run exited ${again.code}: ${again.stderr.trim().split('\n').at(-1)}`);
  return { killed: first.code === 128 + 9, problems };
}

suite(`crash consistency of run --release (${ALL ? 'every write' : 'representative writes'})`, () => {
  test('killed after a write of a release run, then run again, the release converges on 2.0.0', async (t) => {
    const points = ONLY ?? (ALL ? Array.from({ length: await countWrites(t) }, (_, i) => i + 1) : [2, 12]);
    const covered: number[] = [];
    for (const k of points) {
      await t.test(`after write ${k}`, async (t) => {
        const result = await killAfterWrite(t, k);
        if (result.killed) covered.push(k);
        assert.deepEqual(result.problems, [], `killed after write ${k}`);
      });
    }
    t.diagnostic(`kill points covered: ${covered.join(', ')}`);
    assert.ok(covered.length > 0, 'at least one kill landed while the command ran');
  });
});
