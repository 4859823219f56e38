// Release-level rollouts (issue 9): testdata/charts/trio ships three workloads in one Helm
// release (frontend and api behind their Services, a worker without one). An upgrade
// changes all three; `kubectl canary run --release trio` steps them in lock-step, and a
// never-ready api rolls all three back. Under Helm 3 and Helm 4.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import { assertOk, canary, freshNamespace, getJson, helm, postRendererFlags, repoRoot, spawnChild, storedState, toolPaths, waitFor } from './harness.ts';
import type { HelmMajor } from './harness.ts';

const CHART = join(repoRoot, 'testdata', 'charts', 'trio');
const APPS = ['trio-api', 'trio-frontend', 'trio-worker'];

interface State {
  phase: string;
  stable: string;
  canary?: string;
  history: { at: string; event: string; weight?: number }[];
}

function deploy(major: HelmMajor, ns: string, version: string, extra: string[] = []): ReturnType<typeof helm> {
  return helm(major, ['upgrade', '--install', 'trio', CHART, '-n', ns, '--set', `image.tag=${version}`, ...postRendererFlags(major), ...extra]);
}

async function states(ns: string): Promise<Record<string, State>> {
  return Object.fromEntries(await Promise.all(APPS.map(async (app) => [app, await storedState<State>(ns, app)] as const)));
}

/** The version each app's stable Service selects (the worker has none). */
async function selected(ns: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const svc of ['trio-api', 'trio-frontend']) {
    const s = await getJson<{ spec: { selector: Record<string, string> } }>(ns, 'service', svc);
    out[svc] = s.spec.selector['switchyard.dev/version'] ?? '(none)';
  }
  return out;
}

for (const major of [3, 4] as const) {
  suite(`release-level rollouts (Helm ${major})`, () => {
    test('run --release steps three workloads together and promotes them; one never-ready workload rolls all three back', async (t) => {
      const ns = await freshNamespace(t);
      assertOk(await deploy(major, ns, '1.0.0'), 'install 1.0.0');
      assertOk(await deploy(major, ns, '2.0.0'), 'upgrade all three to 2.0.0');
      const run = await canary(ns, ['run', '--release', 'trio', '--wait', '--steps', '25,50,100'], { timeoutMs: 120_000 });
      assertOk(run, 'run --release');
      assert.match(run.stderr, /release trio: trio-api, trio-frontend, trio-worker promoted together/);
      const after = await states(ns);
      for (const app of APPS) assert.deepEqual([app, after[app]!.phase, after[app]!.stable], [app, 'Healthy', '2.0.0']);
      // Lock-step: every app set weight k before any app set the next weight.
      const weightsAt = (weight: number): number[] => APPS.map((app) => Date.parse(after[app]!.history.find((h) => h.event === 'WeightSet' && h.weight === weight)!.at));
      for (const [k, next] of [[25, 50], [50, 100]] as const) {
        assert.ok(Math.max(...weightsAt(k)) <= Math.min(...weightsAt(next)), `every app reached ${k}% before any reached ${next}%`);
      }
      assert.deepEqual(await selected(ns), { 'trio-api': '2.0.0', 'trio-frontend': '2.0.0' });

      // 3.0.0 of the api never becomes ready: all three go back to 2.0.0.
      assertOk(await deploy(major, ns, '3.0.0', ['--set-string', 'api.podLabels.switchyard\\.test/never-ready=true']), 'upgrade all three to 3.0.0');
      const failed = await canary(ns, ['run', '--release', 'trio', '--wait', '--steps', '25,50,100', '--progress-deadline', '5s'], { timeoutMs: 120_000 });
      assert.equal(failed.code, 1, `exit 1 expected: ${failed.stderr}`);
      assert.match(failed.stderr, /release trio: rolled back: release trio: trio-api rolled back: progress-deadline/);
      const rolledBack = await states(ns);
      for (const app of APPS) assert.deepEqual([app, rolledBack[app]!.phase, rolledBack[app]!.stable], [app, 'Degraded', '2.0.0']);
      assert.deepEqual(await selected(ns), { 'trio-api': '2.0.0', 'trio-frontend': '2.0.0' });
      const list = await canary(ns, ['list']);
      assert.match(list.stdout, /^RELEASE\s+NAME/m);
      assert.equal(list.stdout.split('\n').filter((l) => l.startsWith('trio ')).length, 3, list.stdout);
    });

    // Killed at two points: with traffic moved in some apps, and with one app promoted
    // while the others are not yet; each time a re-run converges for the whole release.
    const killPoints: { name: string; app: string; reached: (h: State['history'][number]) => boolean }[] = [
      { name: 'traffic at 50%', app: 'trio-frontend', reached: (h) => h.event === 'WeightSet' && h.weight === 50 },
      { name: 'the first promotion', app: 'trio-api', reached: (h) => h.event === 'Promoted' },
    ];
    for (const point of killPoints) {
      test(`kill -9 at ${point.name} of a release run, then a re-run converges for the release`, async (t) => {
        const ns = await freshNamespace(t);
        assertOk(await deploy(major, ns, '1.0.0'), 'install 1.0.0');
        assertOk(await deploy(major, ns, '2.0.0'), 'upgrade all three to 2.0.0');
        const child = spawnChild(toolPaths.kubectl, ['canary', 'run', '--release', 'trio', '--wait', '--steps', '25,50,100', '-n', ns]);
        t.after(() => child.kill('SIGKILL'));
        await waitFor(async () => (await storedState<State>(ns, point.app).catch(() => undefined))?.history.some(point.reached), { timeoutMs: 60_000, intervalMs: 20 });
        child.kill('SIGKILL');
        await child.exited;
        const again = await canary(ns, ['run', '--release', 'trio', '--wait', '--force'], { timeoutMs: 120_000 });
        assertOk(again, 're-run after kill -9');
        const after = await states(ns);
        for (const app of APPS) assert.deepEqual([app, after[app]!.phase, after[app]!.stable], [app, 'Healthy', '2.0.0']);
        assert.deepEqual(await selected(ns), { 'trio-api': '2.0.0', 'trio-frontend': '2.0.0' });
      });
    }
  });
}
