// Analysis gates on the real data plane (issue 11): the chart behind the shared Gateway
// (Traefik), steady load from the bounded load generator, and the local Prometheus that
// scrapes Traefik every 2 s. The pod runner injects errors and latency from the pods'
// labels (switchyard.test/error-rate, switchyard.test/latency-ms). Webhooks answer from a
// server in this process on 127.0.0.1; Job pods finish through KWOK's complete and crash
// stages.
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer, connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import type { TestContext } from 'node:test';
import { runLoad } from '../../hack/load/load.ts';
import { assertOk, canary, deployChart, freshNamespace, getJson, kubectl, spawnChild, storedState, toolPaths, waitFor } from './harness.ts';
import { dataPlane, gatewayValues, hostFor, servedWeights } from './traffic.ts';
import type { DataPlane } from './traffic.ts';

const PROXY = 'service/switchyard-system/prometheus:web';

interface State {
  phase: string;
  stable: string;
  weight: number;
  canary?: string;
  history: { at: string; event: string; message: string }[];
  analysis?: { current?: Stage; last?: Stage };
}
interface Stage { stage: string; gates: { gate: string; taken: number; measurements: { at: string; phase: string; value?: number; message: string }[] }[] }

/** `--set-string` arguments for pod labels of the chart. */
function podLabels(labels: Record<string, string>): string[] {
  return Object.entries(labels).flatMap(([k, v]) => ['--set-string', `podLabels.${k.replaceAll('.', '\\.')}=${v}`]);
}

/**
 * Installs 1.0.0 behind the Gateway, upgrades to 2.0.0 (each with its pod labels), and
 * keeps steady load (40 requests per second, bounded) on the app until the test ends.
 */
async function canaryUnderLoad(t: TestContext, stable: Record<string, string> = {}, next: Record<string, string> = {}): Promise<{ ns: string; plane: DataPlane }> {
  const plane = dataPlane();
  const ns = await freshNamespace(t);
  assertOk(await deployChart(4, ns, '1.0.0', { extra: [...gatewayValues(ns), ...podLabels(stable)] }), 'install 1.0.0');
  await waitFor(async () => (await runLoad({ url: plane.gatewayUrl, host: hostFor(ns), count: 10, durationMs: 5_000 })).byVersion['1.0.0'] === 10, { timeoutMs: 30_000, intervalMs: 200 });
  assertOk(await deployChart(4, ns, '2.0.0', { extra: [...gatewayValues(ns), ...podLabels(next)] }), 'upgrade to 2.0.0');
  const stop = new AbortController();
  const background = runLoad({ url: plane.gatewayUrl, host: hostFor(ns), count: 20_000, durationMs: 180_000, concurrency: 8, ratePerSecond: 40, signal: stop.signal });
  t.after(async () => {
    stop.abort();
    await background;
  });
  return { ns, plane };
}

const lastLine = (text: string): string => text.trim().split('\n').at(-1) ?? '';

suite('analysis gates on real traffic', () => {
  test('a healthy canary under load promotes with a success-rate gate and a p99 gate (Prometheus through the API server)', async (t) => {
    const { ns } = await canaryUnderLoad(t);
    // A first window may find no data (Prometheus scrapes every 2 s and needs two samples of
    // the canary's series after Traefik routes to it): one inconclusive measurement is tolerated.
    const gate = (check: string): string => `${check}; interval=6s; count=2; initialDelay=4s; inconclusiveLimit=1`;
    const run = await canary(ns, ['run', 'web', '--wait', '--steps', '50,100', '--prometheus', PROXY,
      '--gate', gate('request-success-rate >= 95%'), '--gate', gate('request-duration-p99 < 500ms')], { timeoutMs: 150_000 });
    assertOk(run, 'run with gates');
    const state = await storedState<State>(ns);
    assert.equal(state.stable, '2.0.0');
    const passed = state.history.filter((h) => h.event === 'AnalysisPassed').map((h) => h.message);
    assert.equal(passed.length, 2, `one verdict per weighted step: ${JSON.stringify(passed)}`);
    const status = JSON.parse((await canary(ns, ['status', 'web', '-o', 'json'])).stdout) as { gates: { name: string; phase?: string; measurements?: { value?: number }[] }[] };
    const rate = status.gates.find((g) => g.name === 'request-success-rate')!;
    assert.equal(rate.phase, 'pass');
    assert.ok(rate.measurements!.every((m) => (m.value ?? 0) >= 0.95), JSON.stringify(rate));
    const p99 = status.gates.find((g) => g.name === 'request-duration-p99')!;
    assert.ok(p99.measurements!.every((m) => (m.value ?? 1) < 0.5), JSON.stringify(p99));
    t.diagnostic(`verdicts: ${passed.join(' | ')}`);
  });

  test('a canary answering 500 to one request in five rolls back within interval × failureLimit (Prometheus by URL)', async (t) => {
    const { ns, plane } = await canaryUnderLoad(t, {}, { 'switchyard.test/error-rate': '0.2' });
    const run = await canary(ns, ['run', 'web', '--wait', '--steps', '50,100', '--prometheus', plane.prometheusUrl,
      '--gate', 'request-success-rate >= 95%; interval=6s; count=5; failureLimit=1; initialDelay=4s; inconclusiveLimit=1'], { timeoutMs: 150_000 });
    assert.equal(run.code, 1, `exit 1 expected: ${run.stderr}`);
    assert.match(lastLine(run.stderr), /^web: rolled back to 1\.0\.0: analysis failed at step 1: request-success-rate: 0\.\d+ does not meet >= 95%/);
    const state = await storedState<State>(ns);
    assert.deepEqual([state.phase, state.stable, state.weight], ['Degraded', '1.0.0', 0]);
    const measurements = state.analysis!.last!.gates[0]!.measurements;
    const seen = measurements.map((m) => `${m.phase} at ${m.at}`).join(', ');
    // Counted from the first failure: a measurement before it may have found no data yet
    // (Prometheus had not scraped the canary: inconclusive, not counted) or a passing window.
    const firstFailure = measurements.find((m) => m.phase === 'fail');
    assert.ok(firstFailure !== undefined, `no failed measurement: ${seen}`);
    const aborted = Date.parse(state.history.findLast((h) => h.event === 'Aborted')!.at);
    const after = aborted - Date.parse(firstFailure.at);
    // Two failures: the second comes one interval after the first; allow one scrape (2 s) and 2 s of work.
    assert.ok(after <= 6_000 * 1 + 2_000 + 2_000, `rolled back ${after} ms after the first failed measurement (${seen})`);
    await waitFor(async () => {
      const served = await servedWeights(plane, ns);
      return served !== undefined && (served['web-2-0-0'] ?? 0) === 0 && (served.web ?? 0) > 0;
    }, { timeoutMs: 15_000, intervalMs: 100 });
  });

  test('latency on the canary fails the compare gate; the same latency on both versions passes it', async (t) => {
    const gate = 'compare=request-duration-p99; interval=6s; count=2; initialDelay=8s; resolution=2s; inconclusiveLimit=1';
    const slow = await canaryUnderLoad(t, {}, { 'switchyard.test/latency-ms': '200' });
    const failed = await canary(slow.ns, ['run', 'web', '--wait', '--steps', '50,100', '--prometheus', PROXY, '--gate', gate], { timeoutMs: 150_000 });
    assert.equal(failed.code, 1, `slower canary: exit 1 expected: ${failed.stderr}`);
    assert.match(lastLine(failed.stderr), /analysis failed at step 1: request-duration-p99: canary median [\d.]+ vs stable [\d.]+ \(\+\d+%\), p=[\d.e-]+ < 0\.05: fail/);

    const both = await canaryUnderLoad(t, { 'switchyard.test/latency-ms': '200' }, { 'switchyard.test/latency-ms': '200' });
    const passed = await canary(both.ns, ['run', 'web', '--wait', '--steps', '50,100', '--prometheus', PROXY, '--gate', gate], { timeoutMs: 150_000 });
    assertOk(passed, 'the same latency on both versions');
    const state = await storedState<State>(both.ns);
    assert.equal(state.stable, '2.0.0');
    t.diagnostic(`same latency: ${state.history.filter((h) => h.event === 'AnalysisPassed').map((h) => h.message).join(' | ')}`);
  });

  test('Prometheus stopped mid-run: inconclusive, paused, exit 3, never promoted', async (t) => {
    const { ns, plane } = await canaryUnderLoad(t);
    // The CLI reaches Prometheus through this loopback relay; closing it is Prometheus going away.
    const target = new URL(plane.prometheusUrl);
    const sockets = new Set<Socket>();
    const relay = createServer((client) => {
      const upstream = connect(Number(target.port), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => s.destroy());
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    t.after(() => relay.close());
    const url = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
    const child = spawnChild(toolPaths.kubectl, ['canary', 'run', 'web', '--wait', '--steps', '50,100', '-n', ns, '--prometheus', url,
      '--gate', 'request-success-rate >= 95%; interval=6s; count=4; consecutiveErrorLimit=1; inconclusiveLimit=3; initialDelay=4s']);
    t.after(() => child.kill('SIGKILL'));
    await waitFor(async () => ((await storedState<State>(ns)).analysis?.current?.gates[0]?.taken ?? 0) >= 1, { timeoutMs: 60_000, intervalMs: 200 });
    relay.close();
    for (const s of sockets) s.destroy();
    const result = await child.exited;
    assert.equal(result.code, 3, `exit 3 expected: ${result.stderr}`);
    assert.match(lastLine(result.stderr), /^web: paused: analysis inconclusive at step 1: request-success-rate: Prometheus http:\/\/127\.0\.0\.1:\d+\/: cannot reach it/);
    const state = await storedState<State>(ns);
    assert.deepEqual([state.phase, state.stable, state.canary, state.weight], ['Paused', '1.0.0', '2.0.0', 50]);
    assert.ok(!state.history.some((h) => h.event === 'Promoted'));
  });

  test('a Job gate before promotion: a Job that completes promotes, one that crashes rolls back', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-gates-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const gatesFile = (crash: boolean): string => {
      const path = join(dir, `${crash ? 'crash' : 'ok'}.yaml`);
      writeFileSync(path, [
        'gates:',
        '  - name: smoke',
        '    at: [pre-promotion]',
        '    timeout: 60s',
        '    job:',
        '      template:',
        '        spec:',
        '          template:',
        `            metadata: {labels: {switchyard.test/crash: "${crash}"}}`,
        '            spec:',
        '              containers: [{name: smoke, image: curlimages/curl:8.10.1, args: ["-fsS", "-H", "{{header}}: {{version}}", "http://{{service}}/"]}]',
        '',
      ].join('\n'));
      return path;
    };
    for (const crash of [false, true]) {
      const ns = await freshNamespace(t);
      assertOk(await deployChart(4, ns, '1.0.0'), 'install 1.0.0');
      assertOk(await deployChart(4, ns, '2.0.0'), 'upgrade to 2.0.0');
      const run = await canary(ns, ['run', 'web', '--wait', '--steps', '100', '--gates', gatesFile(crash)], { timeoutMs: 120_000 });
      const state = await storedState<State>(ns);
      if (!crash) {
        assertOk(run, 'a Job that completes');
        assert.equal(state.stable, '2.0.0');
      } else {
        assert.equal(run.code, 1, `a crashing Job: exit 1 expected: ${run.stderr}`);
        assert.match(lastLine(run.stderr), /analysis failed at pre-promotion: smoke: Job web-smoke-2-0-0-\w+ failed/);
        assert.equal(state.stable, '1.0.0');
      }
      const jobs = await getJson<{ items: unknown[] }>(ns, 'jobs');
      assert.equal(jobs.items.length, 0, 'the gate\'s Job is deleted once decided');
    }
  });

  test('webhook gates: 5xx retried then passing; the secret header value is in no output, Event or state', async (t) => {
    const secret = `s3cr3t-${process.pid}-${Date.now()}`;
    const calls: { hook: string; auth?: string }[] = [];
    let failuresLeft = 2;
    const server = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        const payload = JSON.parse(body) as { hook: string };
        calls.push({ hook: payload.hook, ...(req.headers.authorization === undefined ? {} : { auth: req.headers.authorization }) });
        if (payload.hook === 'step' && failuresLeft > 0) {
          failuresLeft--;
          res.writeHead(503).end(`unavailable, token was ${secret}`);
          return;
        }
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => server.close());
    // The URL itself holds a secret (as Slack's do), so it comes from a Secret too.
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?key=${secret}`;
    const ns = await freshNamespace(t);
    assertOk(await kubectl(['-n', ns, 'create', 'secret', 'generic', 'hook-headers', `--from-literal=authorization=Bearer ${secret}`]), 'create the header Secret');
    assertOk(await kubectl(['-n', ns, 'create', 'secret', 'generic', 'hook-url', `--from-literal=url=${url}`]), 'create the URL Secret');
    assertOk(await deployChart(4, ns, '1.0.0'), 'install 1.0.0');
    assertOk(await deployChart(4, ns, '2.0.0'), 'upgrade to 2.0.0');
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-hooks-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'gates.yaml');
    writeFileSync(file, 'gates:\n  - name: hook\n    webhook: {urlSecret: {name: hook-url, key: url}}\n    at: [step, pre-promotion]\n    headersSecret: hook-headers\n    retries: 2\n');
    const run = await canary(ns, ['run', 'web', '--wait', '--steps', '50,100', '--gates', file], { timeoutMs: 120_000 });
    assertOk(run, 'webhook gates');
    assert.deepEqual(calls.map((c) => c.hook), ['step', 'step', 'step', 'step', 'pre-promotion']);
    assert.ok(calls.every((c) => c.auth === `Bearer ${secret}`), 'every call carried the header from the Secret');
    const events = await kubectl(['-n', ns, 'get', 'events', '-o', 'json']);
    const configMap = await kubectl(['-n', ns, 'get', 'configmap', 'switchyard.web', '-o', 'json']);
    const status = await canary(ns, ['status', 'web', '-o', 'json']);
    const history = await canary(ns, ['history', 'web']);
    for (const [what, text] of Object.entries({ stdout: run.stdout, stderr: run.stderr, events: events.stdout, state: configMap.stdout, status: status.stdout, history: history.stdout })) {
      assert.ok(!text.includes(secret), `the secret appears in ${what}`);
    }
    assert.match(events.stdout, /gate hook at step 1: pass: the URL in Secret hook-url: HTTP 200 \(3 attempts\)/);
  });
});
