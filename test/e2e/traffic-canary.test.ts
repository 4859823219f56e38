// Real traffic through the local data plane (DESIGN.md scenario 13): the chart is
// installed with the post-renderer behind the shared Gateway (Traefik), and the
// pod runner answers for each KWOK pod. The load generator counts which version
// answered: the measured share follows each canary weight, a header route
// reaches only its version, and an abort takes traffic back within 2 s.
import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { runLoad, share, type LoadReport, type Sample } from '../../hack/load/load.ts';
import { assertOk, canary, deployChart, freshNamespace, kubectl, spawnChild, toolPaths, waitFor } from './harness.ts';
import { dataPlane, gatewayValues, hostFor, servedWeights, type DataPlane } from './traffic.ts';

const REQUESTS = 1000;
/** ±5 points around the planned share (the acceptance bound of issue 10). */
const TOLERANCE = 0.05;

function summary(report: LoadReport): string {
  return `${JSON.stringify(report.byVersion)} statuses ${JSON.stringify(report.byStatus)} in ${report.elapsedMs.toFixed(0)} ms`;
}

async function load(plane: DataPlane, ns: string, headers: Record<string, string> = {}, count = REQUESTS): Promise<LoadReport> {
  return runLoad({ url: plane.gatewayUrl, host: hostFor(ns), headers, count, durationMs: 60_000, concurrency: 8 });
}

/** Waits until Traefik's main rule for the app gives the canary Service `weight` and the rest 100 - weight. */
async function untilServed(plane: DataPlane, ns: string, canaryService: string, weight: number): Promise<void> {
  let last: Record<string, number> | undefined;
  await waitFor(async () => {
    last = await servedWeights(plane, ns);
    if (!last) return false;
    const rest = Object.entries(last).filter(([name]) => name !== canaryService).reduce((sum, [, w]) => sum + w, 0);
    return (last[canaryService] ?? 0) === weight && rest === 100 - weight;
  }, { timeoutMs: 15_000, intervalMs: 50 }).catch((error: unknown) => {
    throw new Error(`Traefik does not give ${canaryService} ${weight}%; it serves ${JSON.stringify(last)}`, { cause: error });
  });
}

/** An instant query to Prometheus through the API server's service proxy: value by `label`. */
async function promQuery(query: string, label: string): Promise<Record<string, number>> {
  const path = `/api/v1/namespaces/switchyard-system/services/prometheus:web/proxy/api/v1/query?query=${encodeURIComponent(query)}`;
  const result = await kubectl(['get', '--raw', path]);
  assertOk(result, `prometheus query ${query}`);
  const body = JSON.parse(result.stdout) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  return Object.fromEntries(body.data.result.map((r) => [r.metric[label] ?? '', Number(r.value[1])]));
}

suite('traffic through the Gateway: canary', () => {
  test('the measured split follows each weight, header routes reach one version, abort takes traffic back', async (t) => {
    const plane = dataPlane();
    const ns = await freshNamespace(t);
    const extra = gatewayValues(ns);
    assertOk(await deployChart(4, ns, '1.0.0', { extra }), 'install 1.0.0');

    // The first install: everything on 1.0.0 once Traefik has the route.
    await waitFor(async () => (await load(plane, ns, {}, 20)).byVersion['1.0.0'] === 20, { timeoutMs: 30_000, intervalMs: 200 });
    const stable = await load(plane, ns);
    assert.equal(stable.byVersion['1.0.0'], REQUESTS, `stable only: ${summary(stable)}`);

    assertOk(await deployChart(4, ns, '2.0.0', { extra }), 'upgrade to 2.0.0');
    // Weight 0 after the upgrade (invariant 2), yet 2.0.0 is reachable by its header route.
    await waitFor(async () => (await load(plane, ns, { 'x-version': '2.0.0' }, 20)).byVersion['2.0.0'] === 20,
      { timeoutMs: 30_000, intervalMs: 200 });
    const measured: { weight: number; share: number }[] = [];
    const zero = await load(plane, ns);
    measured.push({ weight: 0, share: share(zero, '2.0.0') });
    assert.equal(zero.byVersion['2.0.0'] ?? 0, 0, `weight 0: ${summary(zero)}`);

    for (const [version, other] of [['2.0.0', '1.0.0'], ['1.0.0', '2.0.0']] as const) {
      const byHeader = await load(plane, ns, { 'x-version': version }, 200);
      assert.equal(byHeader.byVersion[version], 200, `x-version: ${version} reached ${summary(byHeader)}`);
      assert.equal(byHeader.byVersion[other], undefined);
    }

    for (const weight of [10, 25, 50, 100]) {
      assertOk(await canary(ns, ['set-weight', 'web', String(weight)], { timeoutMs: 90_000 }), `set-weight ${weight}`);
      await untilServed(plane, ns, 'web-2-0-0', weight);
      const report = await load(plane, ns);
      const got = share(report, '2.0.0');
      measured.push({ weight, share: got });
      assert.equal(report.byStatus['200'], REQUESTS, `weight ${weight}: every request answered: ${summary(report)}`);
      assert.ok(Math.abs(got - weight / 100) <= TOLERANCE, `weight ${weight}: 2.0.0 got ${(100 * got).toFixed(1)}% (${summary(report)})`);
    }
    t.diagnostic(`planned vs measured share of 2.0.0: ${measured.map((m) => `${m.weight}%→${(100 * m.share).toFixed(1)}%`).join(', ')}`);

    // Prometheus scraped the pods and Traefik: each version's own request counters, and
    // Traefik's per-Service ones, at least as many as were sent at weight 100 above. Asked
    // before the abort, which scales 2.0.0 to zero: a pod gone before its next scrape (every
    // 2 s) takes its last counts with it.
    // The pods and Traefik are separate scrape targets: both are polled until each has them.
    let byVersion: Record<string, number> = {};
    let byService: Record<string, number> = {};
    await waitFor(async () => {
      byVersion = await promQuery(`sum by (version) (switchyard_pod_requests_total{namespace="${ns}"})`, 'version');
      byService = await promQuery(`sum by (service) (traefik_service_requests_total{service=~"${ns}-.*"})`, 'service');
      return (byVersion['1.0.0'] ?? 0) >= REQUESTS && (byVersion['2.0.0'] ?? 0) >= REQUESTS &&
        (byService[`${ns}-web-2-0-0-http-80@kubernetesgateway`] ?? 0) >= REQUESTS;
    }, { timeoutMs: 20_000, intervalMs: 500 }).catch((error: unknown) => {
      throw new Error(`Prometheus has ${JSON.stringify(byVersion)} requests by version and Traefik's counters ${JSON.stringify(byService)}`, { cause: error });
    });
    t.diagnostic(`Prometheus: pods ${JSON.stringify(byVersion)}, Traefik ${JSON.stringify(byService)}`);

    // Abort at 100%: steady load runs while `abort` sends everything back to 1.0.0.
    const samples: Sample[] = [];
    const stop = new AbortController();
    const background = runLoad({
      url: plane.gatewayUrl, host: hostFor(ns), count: 100_000, durationMs: 60_000, concurrency: 4, ratePerSecond: 400,
      signal: stop.signal, onSample: (s) => samples.push(s),
    });
    const base = performance.now();
    // When the abort's route write arrives: a watch on the HTTPRoute, each event stamped on arrival.
    const routeEvents: { at: number; canaryWeight: number }[] = [];
    const watch = spawnChild(toolPaths.kubectl, ['-n', ns, 'get', 'httproute', 'web', '--watch', '--output-watch-events', '-o', 'json']);
    t.after(() => watch.kill('SIGKILL'));
    let seen = 0;
    const routeTimer = setInterval(() => {
      const lines = watch.stdout.split('\n');
      for (; seen < lines.length - 1; seen++) {
        if (!lines[seen]!.trim()) continue;
        const event = JSON.parse(lines[seen]!) as { object: { spec: { rules: { matches?: { headers?: unknown[] }[]; backendRefs?: { name: string; weight?: number }[] }[] } } };
        const main = event.object.spec.rules.find((r) => !(r.matches ?? []).some((m) => (m.headers ?? []).length > 0));
        const canaryRef = (main?.backendRefs ?? []).find((b) => b.name === 'web-2-0-0');
        routeEvents.push({ at: performance.now() - base, canaryWeight: canaryRef ? (canaryRef.weight ?? 1) : 0 });
      }
    }, 5);
    t.after(() => clearInterval(routeTimer));
    await waitFor(() => routeEvents.length > 0 && samples.some((s) => s.version === '2.0.0'), { timeoutMs: 10_000, intervalMs: 20 });
    const abortStart = performance.now() - base;
    const aborted = await canary(ns, ['abort', 'web'], { timeoutMs: 60_000 });
    const abortEnd = performance.now() - base;
    assert.ok(aborted.code === 0 || aborted.code === 1, `abort exited ${aborted.code}: ${aborted.stderr}`);
    // Done when 1 s of answers after the abort returned holds no 2.0.0 (polled, not slept).
    const cleanFor = (ms: number): boolean => {
      const lastCanary = samples.findLast((s) => s.version === '2.0.0')?.at ?? 0;
      const newest = samples.at(-1)?.at ?? 0;
      return newest - Math.max(lastCanary, abortEnd) >= ms;
    };
    await waitFor(() => cleanFor(1_000), { timeoutMs: 15_000, intervalMs: 20 });
    stop.abort();
    const report = await background;
    const lastCanary = samples.findLast((s) => s.version === '2.0.0')!.at;
    const routeFlip = routeEvents.find((e) => e.canaryWeight === 0)?.at;
    assert.ok(routeFlip !== undefined, `the watch saw no route write with 2.0.0 at 0: ${JSON.stringify(routeEvents)}`);
    t.diagnostic(`abort: command ran ${(abortEnd - abortStart).toFixed(0)} ms; route at 0 seen ${(routeFlip - abortStart).toFixed(0)} ms after it started; ` +
      `last answer from 2.0.0 ${(lastCanary - routeFlip).toFixed(0)} ms after the route write was seen; ${summary(report)}`);
    assert.ok(lastCanary - routeFlip < 2_000, `2.0.0 still answered ${(lastCanary - routeFlip).toFixed(0)} ms after the route sent it nothing`);
    assert.ok(lastCanary - abortEnd < 2_000, `2.0.0 still answered ${(lastCanary - abortEnd).toFixed(0)} ms after abort returned`);
    const failed = samples.filter((s) => s.status !== 200).length;
    assert.equal(failed, 0, `requests failed during the abort: ${summary(report)}`);

  });
});
