import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gatesFromFlags, parseGateFlag, parseGatesDocument } from './sources.ts';

const FULL = join(import.meta.dirname, '../../testdata/gates/full.yaml');

test('the documented gates file parses into every gate type with Argo-like defaults', () => {
  const set = parseGatesDocument(readFileSync(FULL, 'utf8'), 'full.yaml');
  assert.deepEqual(set.prometheus, { address: 'service/monitoring/prometheus:9090' });
  assert.equal(set.metrics, 'traefik');
  assert.deepEqual(set.gates.map((g) => [g.name, g.type, g.at.join('+')]), [
    ['request-success-rate', 'metric', 'step'],
    ['p99', 'metric', 'step'],
    ['errors', 'metric', 'step'],
    ['latency-vs-stable', 'compare', 'step'],
    ['approve', 'webhook', 'pre-promotion'],
    ['tell-slack', 'webhook', 'rollback+post-promotion'],
    ['smoke', 'job', 'pre-promotion'],
  ]);
  const first = set.gates[0]!;
  assert.deepEqual({ i: first.intervalMs, c: first.count, f: first.failureLimit, e: first.consecutiveErrorLimit, d: first.initialDelayMs, o: first.onInconclusive }, { i: 30_000, c: 4, f: 1, e: 4, d: 0, o: 'pause' });
  const p99 = set.gates[1]!;
  assert.ok(p99.type === 'metric' && p99.condition.kind === 'compare' && p99.condition.value === 0.5);
  const compare = set.gates[3]!;
  assert.ok(compare.type === 'compare' && compare.confidence === 0.95 && compare.tolerance === 0.2 && compare.direction === 'increase');
  const hook = set.gates[4]!;
  assert.ok(hook.type === 'webhook' && hook.retries === 3 && hook.timeoutMs === 5000 && hook.headersSecret === 'hook-headers' && hook.consecutiveErrorLimit === 0);
});

test('every schema error names the origin, the line and the field', () => {
  const cases: [string, RegExp][] = [
    ['gates:\n  - check: request-success-rate\n', /^g\.yaml:2: gates\[0\]\.condition: a metric gate needs a condition/],
    ['gates:\n  - check: request-success-rate\n    condition: ">= 1"\n    interval: soon\n', /^g\.yaml:4: gates\[0\]\.interval: invalid duration "soon"/],
    ['gates:\n  - query: up\n    condition: "< 1"\n  - query: up\n    condition: "< 1"\n    name: query-1\n', /^g\.yaml:6: gates\[1\]\.name: gate name "query-1" is used twice/],
    ['gates:\n  - check: error-rate\n    condition: "< 1"\n', /^g\.yaml:2: gates\[0\]\.check: expected one of request-success-rate, request-duration-p99, not "error-rate"/],
    ['gates:\n  - query: up\n    webhook: http://x\n', /^g\.yaml:2: gates\[0\]: a gate has one of query, webhook, not several/],
    ['gates:\n  - query: up\n    condition: "< 1"\n    failurelimit: 2\n', /^g\.yaml:4: gates\[0\]\.failurelimit: unknown field "failurelimit"/],
    ['gates:\n  - query: rate(x{a="{{pod}}"}[1m])\n    condition: "< 1"\n', /^g\.yaml:2: gates\[0\]\.query: unknown placeholder \{\{pod\}\}/],
    ['gates:\n  - query: up\n    condition: "< 1"\n    at: [rollback]\n', /^g\.yaml:4: gates\[0\]\.at: only webhooks run at rollback/],
    ['prometheus: {address: prometheus:9090}\ngates: []\n', /^g\.yaml:1: prometheus\.address: "prometheus:9090" is not a Prometheus address/],
    ['gates:\n  - webhook: ftp://x\n', /^g\.yaml:2: gates\[0\]\.webhook: "ftp:\/\/x\/?" is not an http\(s\) URL/],
    ['gates:\n  - job: {template: {spec: {template: {spec: {containers: []}}}}}\n', /^g\.yaml:2: gates\[0\]\.job\.template\.spec\.template\.spec\.containers: a Job template needs at least one container/],
    ['gates:\n  - compare: request-duration-p99\n    confidence: 1.5\n', /^g\.yaml:3: gates\[0\]\.confidence: expected a number above 0 and below 1/],
    ['gates: [\n', /^g\.yaml:\d+: /],
    ['gates:\n  - query: up\n    query: down\n', /^g\.yaml:3: Map keys must be unique/],
    ['- query: up\n  condition: "< 1"\n  count: 0\n', /^g\.yaml:3: gates\[0\]\.count: expected a whole number, 1 or more/],
  ];
  for (const [text, expected] of cases) {
    assert.throws(() => parseGatesDocument(text, 'g.yaml'), (err: Error) => {
      assert.match(err.message, expected, text);
      assert.ok(!err.message.includes('\n'), 'one line');
      return true;
    });
  }
});

test('a webhook URL that is itself a secret comes from a Secret', () => {
  const set = parseGatesDocument('gates:\n  - webhook: {urlSecret: {name: slack}}\n    at: [rollback]\n    slack: true\n', 'g.yaml');
  const hook = set.gates[0]!;
  assert.ok(hook.type === 'webhook' && hook.url === undefined);
  assert.deepEqual(hook.type === 'webhook' && hook.urlSecret, { name: 'slack', key: 'url' });
  assert.throws(() => parseGatesDocument('gates:\n  - webhook: {url: x}\n', 'g.yaml'), /g\.yaml:2: gates\[0\]\.webhook\.url: unknown field "url"/);
});

test('the compact --gate syntax', () => {
  const builtin = parseGateFlag('request-success-rate >= 99%; interval=10s; count=3; failure-limit=1', 0);
  assert.ok(builtin.type === 'metric' && 'check' in builtin.metric && builtin.metric.check === 'request-success-rate');
  assert.deepEqual([builtin.name, builtin.intervalMs, builtin.count, builtin.failureLimit], ['request-success-rate', 10_000, 3, 1]);
  const query = parseGateFlag('name=errors; query=sum(rate(x{code=~"5..",app="{{app}}"}[{{interval}}])); condition=< 0.01', 1);
  assert.ok(query.type === 'metric' && 'query' in query.metric && query.metric.query === 'sum(rate(x{code=~"5..",app="{{app}}"}[{{interval}}]))');
  const hook = parseGateFlag('webhook=http://127.0.0.1:9/hook; at=pre-rollout,rollback', 2);
  assert.deepEqual([hook.name, hook.type, hook.at], ['webhook-3', 'webhook', ['pre-rollout', 'rollback']]);
  const compare = parseGateFlag('compare=request-duration-p99; tolerance=0.2', 0);
  assert.ok(compare.type === 'compare' && compare.name === 'request-duration-p99' && compare.tolerance === 0.2);
  assert.throws(() => parseGateFlag('request-success-rate', 0), /--gate "request-success-rate": "request-success-rate" is not key=value/);
  assert.throws(() => parseGateFlag('check=request-success-rate; condition=>= 1; interval=x', 0), /--gate ".*": interval: invalid duration "x"/);
  assert.throws(() => parseGateFlag('query=up; query=down', 0), /"query" is given twice/);
});

test('--gate and --gates together; --prometheus overrides the file and is validated', () => {
  assert.equal(gatesFromFlags({ flags: [] }), undefined);
  const set = gatesFromFlags({ file: { text: readFileSync(FULL, 'utf8'), origin: FULL }, flags: ['name=extra; query=up; condition=> 0'], prometheus: 'http://127.0.0.1:9090' })!;
  assert.equal(set.gates.length, 8);
  assert.equal(set.prometheus?.address, 'http://127.0.0.1:9090');
  assert.throws(() => gatesFromFlags({ file: { text: readFileSync(FULL, 'utf8'), origin: FULL }, flags: ['name=p99; query=up; condition=> 0'] }), /a gate named "p99" exists already/);
  assert.throws(() => gatesFromFlags({ flags: ['query=up; condition=> 0'], prometheus: 'prom:9090' }), /--prometheus: "prom:9090" is not a Prometheus address/);
});
