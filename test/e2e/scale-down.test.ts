// Commands return once traffic has moved (issue 9): a canary `run --wait` does not wait out
// --scale-down-delay; the pending scale-down is in the state and in `status`, and the next
// command of the app carries it out once it is due.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertOk, canary, deployChart, freshNamespace, getJson, waitFor } from './harness.ts';

interface Deployment { spec: { replicas: number } }
interface Status { stable: string; scaleDowns?: { version: string; at: string }[] }

test('run --wait returns at the promotion; the next command scales the previous version down when due', async (t) => {
  const ns = await freshNamespace(t);
  assertOk(await deployChart(3, ns, '1.0.0'), 'install 1.0.0');
  assertOk(await deployChart(3, ns, '2.0.0'), 'upgrade to 2.0.0');
  assertOk(await canary(ns, ['run', 'web', '--wait', '--steps', '50,100', '--scale-down-delay', '4s']), 'run --wait');
  const status = async (): Promise<Status> => JSON.parse((await canary(ns, ['status', 'web', '-o', 'json'])).stdout) as Status;
  const after = await status();
  assert.equal(after.stable, '2.0.0');
  assert.equal((await getJson<Deployment>(ns, 'deployment', 'web-1-0-0')).spec.replicas, 2, 'the run did not wait out the delay: 1.0.0 is still hot');
  assert.deepEqual(after.scaleDowns?.map((d) => d.version), ['1.0.0']);
  const due = Date.parse(after.scaleDowns![0]!.at);
  const text = await canary(ns, ['status', 'web']);
  assert.match(text.stdout, /^Scale-down: +1\.0\.0 hot until \d\d:\d\d:\d\d UTC/m);

  // Before it is due, a command leaves it; once due, the next command scales it down.
  await waitFor(async () => Date.now() > due + 200, { timeoutMs: 15_000, intervalMs: 100 });
  assertOk(await canary(ns, ['run', 'web']), 'the next command of the app');
  assert.equal((await getJson<Deployment>(ns, 'deployment', 'web-1-0-0')).spec.replicas, 0);
  assert.equal((await status()).scaleDowns, undefined);
});
