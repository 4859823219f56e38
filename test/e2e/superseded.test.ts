// Status tells the truth about traffic (issue 9): a `helm upgrade` while a canary holds
// traffic moves none, so the replaced canary keeps its share on the live HTTPRoute.
// `status` shows it superseded with its live weight; the next `run` moves that share back to
// stable before it starts the new version, and ends with no traffic on it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertOk, canary, deployChart, freshNamespace, getJson, storedState } from './harness.ts';

interface VersionStatus { version: string; role: string; weight: number; liveWeight?: number; superseded?: boolean }
interface Status { stable: string; canary?: string; versions: VersionStatus[] }
interface Route { metadata: { annotations: Record<string, string> } }
interface State { history: { event: string; version?: string; weight?: number; stable?: string }[] }

test('a canary replaced at 20% is shown superseded with its live weight, and the next run returns its share to stable first', async (t) => {
  const ns = await freshNamespace(t);
  assertOk(await deployChart(3, ns, '1.0.0'), 'install 1.0.0');
  assertOk(await deployChart(3, ns, '2.0.0'), 'upgrade to 2.0.0');
  assertOk(await canary(ns, ['set-weight', 'web', '20'], { timeoutMs: 90_000 }), 'set-weight 20');
  assertOk(await deployChart(3, ns, '3.0.0'), 'upgrade to 3.0.0 while 2.0.0 holds 20%');
  const weights = async (): Promise<Record<string, number>> => JSON.parse((await getJson<Route>(ns, 'httproute', 'web')).metadata.annotations['switchyard.dev/weights']!) as Record<string, number>;
  assert.deepEqual(await weights(), { '1.0.0': 80, '2.0.0': 20, '3.0.0': 0 }, 'the upgrade moved no traffic');

  const shown = await canary(ns, ['status', 'web', '-o', 'json']);
  assertOk(shown, 'status -o json');
  const view = JSON.parse(shown.stdout) as Status;
  assert.equal(view.canary, '3.0.0');
  const by = (v: string): VersionStatus | undefined => view.versions.find((s) => s.version === v);
  assert.deepEqual(by('2.0.0'), { ...by('2.0.0')!, role: 'retained', weight: 0, liveWeight: 20, superseded: true });
  assert.deepEqual(by('3.0.0'), { ...by('3.0.0')!, role: 'canary', weight: 0, liveWeight: 0 });
  assert.equal(by('3.0.0')!.superseded, undefined);
  assert.equal(by('1.0.0')!.liveWeight, 80);
  const text = await canary(ns, ['status', 'web']);
  assert.match(text.stdout, /^Superseded: 2\.0\.0 still receives 20% of traffic; the next "run" moves it back to 1\.0\.0/m);
  assert.match((await canary(ns, ['list'])).stdout, /\(2\.0\.0 superseded: 20%\)/);

  const ran = await canary(ns, ['run', 'web', '--wait', '--steps', '50,100', '--scale-down-delay', '0'], { timeoutMs: 120_000 });
  assertOk(ran, 'run --wait');
  const after = JSON.parse((await canary(ns, ['status', 'web', '-o', 'json'])).stdout) as Status;
  assert.equal(after.stable, '3.0.0');
  assert.equal(after.canary, undefined);
  assert.ok(!after.versions.some((v) => (v.liveWeight ?? 0) > 0 && v.version !== '3.0.0'), `only 3.0.0 serves: ${JSON.stringify(after.versions)}`);
  assert.equal((await weights())['2.0.0'] ?? 0, 0, 'no traffic on 2.0.0');

  const { history } = await storedState<State>(ns);
  const returned = history.findIndex((e) => e.event === 'TrafficReturned' && e.version === '2.0.0');
  const started = history.findIndex((e) => (e.event === 'Scaled' || e.event === 'WeightSet') && e.version === '3.0.0');
  assert.ok(returned >= 0 && started > returned, `2.0.0's share went back before 3.0.0 was scaled or weighted: ${history.map((e) => `${e.event} ${e.version ?? ''}`).join(', ')}`);
  assert.deepEqual([history[returned]!.weight, history[returned]!.stable], [20, '1.0.0']);
});
