import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseGatesDocument } from '../analysis/sources.ts';
import { drive } from './engine.ts';
import type { DriveOptions, DriveResult } from './engine.ts';
import { twoVersionCluster } from './fake-kube.test-util.ts';
import type { FakeKube } from './fake-kube.test-util.ts';
import { applyRequest } from './requests.ts';
import { parseSteps } from './state.ts';

// Analysis gates in the step machine, against the in-memory cluster; webhooks hit a real
// local server (127.0.0.1). Metric gates on real traffic: test/e2e/analysis.test.ts.

interface Hook { hook: string; weight: number; step?: number; headers: Record<string, string | string[] | undefined> }

/** A webhook server whose answer depends on the payload; records every call. */
async function hookServer(status: (payload: Hook) => number): Promise<{ url: string; calls: Hook[]; close: () => Promise<void> }> {
  const calls: Hook[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const payload = { ...JSON.parse(body), headers: req.headers } as Hook;
      calls.push(payload);
      res.writeHead(status(payload)).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const base: DriveOptions = { wait: true, progressDeadlineMs: 60_000, maxRestarts: 3, scaleDownDelayMs: 0, keep: 2, settings: { steps: parseSteps('25,50,100') } };

function run(kube: FakeKube, gates: string, opts: Partial<DriveOptions> = {}): Promise<DriveResult> {
  return drive({ kube, namespace: 'demo', app: 'web', now: Date.now, emit: () => undefined }, { ...base, gates: parseGatesDocument(gates, 'gates.yaml'), ...opts });
}

const stored = (kube: FakeKube): string => JSON.stringify(kube.all('ConfigMap').find((c) => c.metadata.name === 'switchyard.web')!.data);
const events = (kube: FakeKube): string => JSON.stringify(kube.all('Event'));

test('a webhook gate at every step and before promotion: measured at each, then promoted', async (t) => {
  const server = await hookServer(() => 200);
  t.after(server.close);
  const kube = twoVersionCluster();
  kube.seed({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hook-headers', namespace: 'demo' }, data: { authorization: Buffer.from('Bearer s3cr3t-value').toString('base64') } });
  const result = await run(kube, `gates:\n  - name: check\n    webhook: ${server.url}\n    at: [step, pre-promotion]\n    headersSecret: hook-headers\n  - name: done\n    webhook: ${server.url}\n    at: [post-promotion]\n`);
  assert.equal(result.outcome, 'healthy');
  assert.deepEqual(server.calls.map((c) => `${c.hook}@${c.weight}`), ['step@25', 'step@50', 'step@100', 'pre-promotion@100', 'post-promotion@100']);
  assert.equal(server.calls[0]!.headers.authorization, 'Bearer s3cr3t-value');
  const history = result.state.history.map((h) => h.event);
  assert.equal(history.filter((e) => e === 'AnalysisPassed').length, 4);
  assert.ok(history.indexOf('AnalysisPassed') < history.indexOf('Promoted'));
  assert.ok(!stored(kube).includes('s3cr3t') && !events(kube).includes('s3cr3t'), 'the secret header value is in neither the state nor an Event');
  assert.match(events(kube), /gate check at step 1: pass/);
});

test('without --gate or --gates, the gates come from the new version\'s switchyard.dev/gates annotation; a bad one is a one-line error naming it', async (t) => {
  const server = await hookServer(() => 200);
  t.after(server.close);
  const kube = twoVersionCluster();
  const canary = kube.all('Deployment').find((d) => d.metadata.name === 'web-2-0-0')!;
  canary.metadata.annotations = { ...canary.metadata.annotations, 'switchyard.dev/gates': `- name: from-chart\n  webhook: ${server.url}\n` };
  kube.seed(canary);
  const result = await drive({ kube, namespace: 'demo', app: 'web', now: Date.now, emit: () => undefined }, base);
  assert.equal(result.outcome, 'healthy');
  assert.deepEqual(server.calls.map((c) => `${c.hook}@${c.weight}`), ['step@25', 'step@50', 'step@100']);

  const broken = twoVersionCluster();
  const d = broken.all('Deployment').find((x) => x.metadata.name === 'web-2-0-0')!;
  d.metadata.annotations = { ...d.metadata.annotations, 'switchyard.dev/gates': '- name: x\n  query: up\n' };
  broken.seed(d);
  await assert.rejects(drive({ kube: broken, namespace: 'demo', app: 'web', now: Date.now, emit: () => undefined }, base),
    /^Error: annotation switchyard\.dev\/gates of Deployment web-2-0-0:1: gates\[0\]\.condition: a metric gate needs a condition/);
});

test('a failing webhook at step 2 rolls back, says which measurement failed, and calls the rollback hook once', async (t) => {
  const server = await hookServer((p) => (p.hook === 'step' && p.weight === 50 ? 412 : 200));
  t.after(server.close);
  const kube = twoVersionCluster();
  const gates = `gates:\n  - name: check\n    webhook: ${server.url}\n  - name: notify\n    webhook: ${server.url}\n    at: [rollback]\n    slack: true\n`;
  const result = await run(kube, gates);
  assert.equal(result.outcome, 'degraded');
  assert.match(result.view.message!, /^analysis failed at step 2: check: http:\/\/127\.0\.0\.1:\d+\/hook: HTTP 412/);
  assert.equal(result.state.weight, 0);
  const service = kube.all('Service').find((s) => s.metadata.name === 'web')!;
  assert.equal((service.spec as { selector: Record<string, string> }).selector['switchyard.dev/version'], '1.0.0');
  assert.deepEqual(server.calls.map((c) => c.hook ?? 'slack'), ['step', 'step', 'slack']);
  // Driven again: still rolled back, and the rollback hook is not called twice.
  const again = await run(kube, gates);
  assert.equal(again.outcome, 'degraded');
  assert.equal(server.calls.length, 3);
});

test('an unreachable metric source pauses the rollout as inconclusive (outcome for exit 3), and resume measures again', async () => {
  const kube = twoVersionCluster();
  const closed = await hookServer(() => 200);
  await closed.close(); // a loopback port nothing listens on
  const port = new URL(closed.url).port;
  const gates = `prometheus: http://127.0.0.1:${port}\ngates:\n  - check: request-success-rate\n    condition: ">= 99%"\n    interval: 1ms\n    consecutiveErrorLimit: 0\n`;
  const result = await run(kube, gates);
  assert.equal(result.outcome, 'inconclusive');
  assert.equal(result.state.phase, 'Paused');
  assert.equal(result.state.weight, 25);
  assert.match(result.view.message!, /^analysis inconclusive at step 1: request-success-rate: Prometheus http:\/\/127\.0\.0\.1:\d+\/: cannot reach it \(ECONNREFUSED\)/);
  const gate = result.view.gates.find((g) => g.name === 'request-success-rate')!;
  assert.deepEqual([gate.kind, gate.phase, gate.stage, gate.measurements?.length], ['metric', 'inconclusive', 'step-1', 1]);
  const resumed = applyRequest({ ...result.state, request: { kind: 'resume', by: 'me', at: new Date().toISOString() } }, Date.now());
  assert.deepEqual([resumed.phase, resumed.pausedBy, resumed.analysis?.current], ['Progressing', undefined, undefined]);
});

test('a Job gate before promotion: the Job is created once, and its completion promotes', async () => {
  const kube = twoVersionCluster();
  const gates = 'gates:\n  - name: smoke\n    job:\n      template:\n        spec:\n          template:\n            spec:\n              containers: [{name: smoke, image: busybox, args: ["{{header}}: {{version}}"]}]\n';
  const first = await run(kube, gates, { wait: false });
  assert.equal(first.outcome, 'progressing');
  const jobs = kube.all('Job');
  assert.equal(jobs.length, 1);
  const container = (jobs[0]!.spec as { template: { spec: { containers: { args: string[]; env: { name: string; value: string }[] }[] } } }).template.spec.containers[0]!;
  assert.deepEqual(container.args, ['x-version: 2.0.0']);
  assert.equal(container.env.find((e) => e.name === 'SWITCHYARD_SERVICE')?.value, 'web-2-0-0.demo.svc');
  jobs[0]!.status = { conditions: [{ type: 'Complete', status: 'True' }] };
  kube.seed(jobs[0]!);
  const second = await run(kube, gates, { wait: false });
  assert.equal(second.outcome, 'healthy');
  assert.equal(second.state.stable, '2.0.0');
  assert.equal(kube.all('Job').length, 0, 'the Job is deleted once decided');
});
