import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeKube } from '../rollout/fake-kube.test-util.ts';
import { resolveQuery } from './builtins.ts';
import type { QueryTarget } from './builtins.ts';
import type { Prometheus, QueryValue } from './prometheus.ts';
import { QueryError } from './prometheus.ts';
import { gatesAt, runStage, startStage } from './run.ts';
import type { AnalysisContext, StageState } from './run.ts';
import { parseGatesDocument } from './sources.ts';

/** A Prometheus that answers from a function of the query (and records the queries). */
function fakeProm(answer: (q: string) => QueryValue | number[] | Error): { prom: Prometheus; queries: string[] } {
  const queries: string[] = [];
  const reply = <T>(q: string, pick: (a: QueryValue | number[]) => T): T => {
    queries.push(q);
    const a = answer(q);
    if (a instanceof Error) throw a;
    return pick(a);
  };
  return {
    queries,
    prom: {
      instant: async (q) => reply(q, (a) => (Array.isArray(a) ? { kind: 'value', value: a[0]! } : a)),
      range: async (q) => reply(q, (a) => (Array.isArray(a) ? a : [])),
    },
  };
}

function context(prom: Prometheus, clock: { now: number }): AnalysisContext {
  return {
    kube: new FakeKube(),
    namespace: 'shop',
    app: 'web',
    router: 'gateway',
    stable: '1.0.0',
    canary: '2.0.0',
    header: 'x-version',
    services: [{ name: 'web', ports: ['80', 'http'] }],
    versionService: (s, v) => `${s}-${v.replaceAll('.', '-')}`,
    weight: 25,
    phase: 'Progressing',
    now: () => clock.now,
    prometheus: () => prom,
  };
}

async function drive(yaml: string, prom: Prometheus, passes: number): Promise<{ stage: StageState; outcomes: string[] }> {
  const set = parseGatesDocument(yaml, 'test');
  const clock = { now: 1_000_000 };
  let stage = startStage('step-1', 'step', gatesAt(set, 'step'), clock.now);
  const outcomes: string[] = [];
  for (let i = 0; i < passes; i++) {
    const r = await runStage(set, stage, context(prom, clock));
    stage = r.stage;
    outcomes.push(r.outcome.verdict);
    if (r.outcome.verdict !== 'running') break;
    clock.now = r.outcome.nextAt;
  }
  return { stage, outcomes };
}

const SUCCESS = 'prometheus: http://127.0.0.1:9\ngates:\n  - check: request-success-rate\n    condition: ">= 99%"\n    interval: 10s\n    count: 3\n';

test('a metric gate passes after count measurements and fails as soon as more than failureLimit fail', async () => {
  const healthy = await drive(SUCCESS, fakeProm(() => ({ kind: 'value', value: 0.999 })).prom, 10);
  assert.deepEqual(healthy.outcomes, ['running', 'running', 'pass']);
  assert.equal(healthy.stage.gates[0]!.measurements.at(-1)!.message, '0.999 meets >= 99%');
  const values = [0.999, 0.8];
  const failing = await drive(SUCCESS, fakeProm(() => ({ kind: 'value', value: values.shift() ?? 0.8 })).prom, 10);
  assert.deepEqual(failing.outcomes, ['running', 'fail']);
  assert.equal(failing.stage.gates[0]!.measurements.at(-1)!.message, '0.8 does not meet >= 99%');
});

test('no data is inconclusive; an unreachable Prometheus becomes inconclusive after consecutiveErrorLimit', async () => {
  const none = await drive(SUCCESS, fakeProm(() => ({ kind: 'none', why: 'no data' })).prom, 10);
  assert.deepEqual(none.outcomes, ['inconclusive']);
  const down = await drive(SUCCESS.replace('count: 3', 'count: 3\n    consecutiveErrorLimit: 1'), fakeProm(() => new QueryError('Prometheus http://127.0.0.1:9: cannot reach it (ECONNREFUSED)')).prom, 10);
  assert.deepEqual(down.outcomes, ['running', 'inconclusive']);
  assert.match(down.stage.gates[0]!.measurements.at(-1)!.message, /ECONNREFUSED/);
});

test('the builtin query counts the version\'s own Services, and the stable version\'s chart Services too', async () => {
  const { prom, queries } = fakeProm(() => ({ kind: 'value', value: 1 }));
  await drive(SUCCESS.replace('count: 3', 'count: 1'), prom, 1);
  assert.equal(queries[0], 'sum(rate(traefik_service_requests_total{service=~"shop-(web-2-0-0)-((http|https|h2c)-)?(80|http)@.+",code!~"5.."}[10s])) / sum(rate(traefik_service_requests_total{service=~"shop-(web-2-0-0)-((http|https|h2c)-)?(80|http)@.+"}[10s]))');
  const t: QueryTarget = { app: 'web', namespace: 'shop', version: '1.0.0', canary: '2.0.0', stable: '1.0.0', services: ['web-1-0-0', 'web'], ports: ['80'], interval: '30s', window: '8s' };
  assert.equal(resolveQuery({ check: 'request-duration-p99' }, t, 'istio', 'istio', 'window'), 'histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_service_namespace="shop",destination_service_name=~"web-1-0-0|web"}[8s]))) / 1000');
  assert.match(resolveQuery({ check: 'request-success-rate' }, t, 'nginx', 'nginx', 'interval'), /^sum\(rate\(nginx_ingress_controller_requests\{namespace="shop",service=~"web-1-0-0\|web",status!~"5.."\}\[30s\]\)\)/);
  assert.equal(resolveQuery({ query: 'x{app="{{app}}",v="{{version}}",s=~"{{service}}"}[{{interval}}] and {{stable}} {{canary}}' }, t, undefined, 'service', 'interval'), 'x{app="web",v="1.0.0",s=~"web-1-0-0|web"}[30s] and 1.0.0 2.0.0');
  assert.throws(() => resolveQuery({ check: 'request-success-rate' }, t, undefined, 'service', 'interval'), /knows no metrics of router "service"/);
});

test('compare: a slower canary fails, the same latency on both passes', async () => {
  const yaml = 'prometheus: http://127.0.0.1:9\ngates:\n  - compare: request-duration-p99\n    interval: 20s\n    count: 2\n';
  const series = (q: string, canary: number[], stable: number[]): number[] => (q.includes('web-2-0-0') ? canary : stable);
  const slow = await drive(yaml, fakeProm((q) => series(q, [0.25, 0.26, 0.24, 0.25, 0.27], [0.01, 0.012, 0.011, 0.01, 0.009])).prom, 5);
  assert.deepEqual(slow.outcomes, ['running', 'fail']);
  assert.match(slow.stage.gates[0]!.measurements.at(-1)!.message, /: fail$/);
  const same = await drive(yaml, fakeProm((q) => series(q, [0.25, 0.26, 0.24, 0.25, 0.27], [0.26, 0.25, 0.25, 0.24, 0.27])).prom, 5);
  assert.deepEqual(same.outcomes, ['running', 'pass']);
  const empty = await drive(yaml, fakeProm((q) => series(q, [], [0.1])).prom, 5);
  assert.deepEqual(empty.outcomes, ['inconclusive']);
});

test('compare gates do not measure at a step of 100%: the stable version has no traffic there', () => {
  const set = parseGatesDocument('gates:\n  - compare: request-duration-p99\n  - check: request-success-rate\n    condition: ">= 1"\n', 'test');
  assert.deepEqual(gatesAt(set, 'step', 50).map((g) => g.name), ['request-duration-p99', 'request-success-rate']);
  assert.deepEqual(gatesAt(set, 'step', 100).map((g) => g.name), ['request-success-rate']);
});

test('without a Prometheus address a metric gate errors with a clear line', async () => {
  const r = await drive('gates:\n  - check: request-success-rate\n    condition: ">= 1"\n    consecutiveErrorLimit: 0\n', fakeProm(() => ({ kind: 'value', value: 1 })).prom, 3);
  assert.deepEqual(r.outcomes, ['inconclusive']);
  assert.equal(r.stage.gates[0]!.measurements[0]!.message, 'no Prometheus address: give --prometheus, or prometheus: in the gates file');
});
