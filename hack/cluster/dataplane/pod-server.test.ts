import assert from 'node:assert/strict';
import { test } from 'node:test';
import { faults, POD_HEADER, PodServer, podVersion, VERSION_HEADER } from './pod-server.ts';
import { servable } from './pod-runner.ts';

test('the version is the version label, else the image tag, else unknown', () => {
  assert.equal(podVersion({ labels: { 'switchyard.dev/version': '2.0.0' }, images: ['r/web:1.0.0'] }), '2.0.0');
  assert.equal(podVersion({ labels: {}, images: ['registry:5000/web:1.2.3@sha256:abc'] }), '1.2.3');
  assert.equal(podVersion({ labels: {}, images: ['registry:5000/web'] }), 'unknown');
});

test('faults ignore malformed and negative labels and cap the rate at 1', () => {
  assert.deepEqual(faults({ 'switchyard.test/error-rate': '0.2', 'switchyard.test/latency-ms': '30' }), { errorRate: 0.2, latencyMs: 30 });
  assert.deepEqual(faults({ 'switchyard.test/error-rate': 'lots', 'switchyard.test/latency-ms': '-5' }), { errorRate: 0, latencyMs: 0 });
  assert.deepEqual(faults({ 'switchyard.test/error-rate': '7' }), { errorRate: 1, latencyMs: 0 });
});

test('only Running pods with an IP and a TCP port are served', () => {
  const pod = {
    metadata: { name: 'web-1', namespace: 'ns', uid: 'u', resourceVersion: '1' },
    spec: { containers: [{ image: 'r/web:1.0.0', ports: [{ containerPort: 8080 }, { containerPort: 53, protocol: 'UDP' }] }] },
    status: { phase: 'Running', podIP: '10.244.0.7' },
  };
  assert.deepEqual(servable(pod)?.ports, [8080]);
  assert.equal(servable({ ...pod, status: { phase: 'Pending', podIP: '10.244.0.7' } }), undefined);
  assert.equal(servable({ ...pod, status: { phase: 'Running' } }), undefined);
  assert.equal(servable({ ...pod, spec: { hostNetwork: true, containers: pod.spec.containers } }), undefined);
});

test('a pod server answers with its version and pod, injects errors, and counts them in /metrics', async (t) => {
  const server = new PodServer({ namespace: 'ns', name: 'web-1', ip: '127.0.0.1', labels: { 'switchyard.dev/version': '1.0.0' }, images: [], ports: [0] });
  await server.start();
  t.after(() => server.stop());
  const port = server.boundPorts()[0]!;
  const ok = await fetch(`http://127.0.0.1:${port}/anything`);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get(VERSION_HEADER), '1.0.0');
  assert.equal(ok.headers.get(POD_HEADER), 'web-1');
  assert.deepEqual(await ok.json(), { version: '1.0.0', pod: 'web-1', namespace: 'ns', code: 200 });

  server.update({ namespace: 'ns', name: 'web-1', ip: '127.0.0.1', labels: { 'switchyard.dev/version': '1.0.0', 'switchyard.test/error-rate': '1' }, images: [], ports: [0] });
  const failed = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(failed.status, 500);
  await failed.text();

  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  assert.match(metrics, /^switchyard_pod_requests_total\{version="1.0.0",code="200"\} 1$/m);
  assert.match(metrics, /^switchyard_pod_requests_total\{version="1.0.0",code="500"\} 1$/m);
  assert.match(metrics, /^switchyard_pod_request_duration_seconds_count\{version="1.0.0"\} 2$/m);
});
