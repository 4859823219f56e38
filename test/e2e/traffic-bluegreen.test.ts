// Blue-green with real traffic through the local data plane (DESIGN.md scenario 13,
// issue 10): three live versions each reachable by its header route, and `switch`
// and `rollback` measured as the time until every request reaches the target version.
import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { runLoad } from '../../hack/load/load.ts';
import { assertOk, bluegreen, deployChart, freshNamespace, waitFor, type RunResult } from './harness.ts';
import { dataPlane, gatewayValues, hostFor, measureFlip, type Flip } from './traffic.ts';

function deploy(ns: string, version: string): Promise<RunResult> {
  return deployChart(3, ns, version, { extra: ['--post-renderer-args=--strategy=bluegreen', ...gatewayValues(ns)] });
}

function show(flip: Flip): string {
  return `converged ${flip.convergedMs.toFixed(0)} ms after the command started (it ran ${flip.commandMs.toFixed(0)} ms), ` +
    `${flip.failed} failed, ${JSON.stringify(flip.byVersion)}`;
}

suite('traffic through the Gateway: blue-green', () => {
  test('switch and rollback move every request; each of three live versions answers its header', async (t) => {
    const plane = dataPlane();
    const ns = await freshNamespace(t);
    const only = async (version: string, headers: Record<string, string> = {}, count = 20): Promise<boolean> =>
      (await runLoad({ url: plane.gatewayUrl, host: hostFor(ns), headers, count, durationMs: 10_000 })).byVersion[version] === count;

    assertOk(await deploy(ns, '1.0.0'), 'install 1.0.0');
    await waitFor(() => only('1.0.0'), { timeoutMs: 30_000, intervalMs: 200 });
    assertOk(await deploy(ns, '2.0.0'), 'upgrade to 2.0.0');
    assertOk(await bluegreen(ns, ['run', 'web', '--wait']), 'run --wait (2.0.0 preview)');
    await waitFor(() => only('2.0.0', { 'x-version': '2.0.0' }), { timeoutMs: 30_000, intervalMs: 200 });
    assert.ok(await only('1.0.0', {}, 200), 'before the switch, requests without a header all reach 1.0.0');

    const switched = await measureFlip(plane, ns, '2.0.0', async () => {
      assertOk(await bluegreen(ns, ['switch', 'web', '--scale-down-delay', '0']), 'switch to 2.0.0');
    });
    t.diagnostic(`switch 1.0.0 -> 2.0.0: ${show(switched)}`);
    assert.ok(switched.convergedMs < 10_000, `switch: ${show(switched)}`);
    assert.equal(switched.failed, 0, `switch: ${show(switched)}`);

    assertOk(await deploy(ns, '3.0.0'), 'upgrade to 3.0.0');
    assertOk(await bluegreen(ns, ['run', 'web', '--wait']), 'run --wait (3.0.0 preview)');
    await waitFor(() => only('3.0.0', { 'x-version': '3.0.0' }), { timeoutMs: 30_000, intervalMs: 200 });
    for (const version of ['1.0.0', '2.0.0', '3.0.0']) {
      const report = await runLoad({ url: plane.gatewayUrl, host: hostFor(ns), headers: { 'x-version': version }, count: 300, durationMs: 30_000 });
      assert.deepEqual(report.byVersion, { [version]: 300 }, `x-version: ${version}`);
    }
    assert.ok(await only('2.0.0', {}, 200), 'requests without a header still all reach the active 2.0.0');

    const rolledBack = await measureFlip(plane, ns, '1.0.0', async () => {
      assertOk(await bluegreen(ns, ['rollback', 'web']), 'rollback');
    });
    t.diagnostic(`rollback 2.0.0 -> 1.0.0: ${show(rolledBack)}`);
    assert.ok(rolledBack.convergedMs < 10_000, `rollback: ${show(rolledBack)}`);
    assert.equal(rolledBack.failed, 0, `rollback: ${show(rolledBack)}`);
  });
});
