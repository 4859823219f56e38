// Acceptance tests of the local control plane itself: real controllers, KWOK
// stages (ready, never ready, crash, job, delete), real CRD schemas, RBAC.
import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { assertOk, freshNamespace, kubectl, type RunResult } from './harness.ts';

/** Returns a Deployment manifest whose pods carry `podLabels` besides `app: <name>`. */
function deployment(name: string, spec: { replicas?: number; progressDeadlineSeconds?: number; podLabels?: Record<string, string> } = {}): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: spec.replicas ?? 2,
      ...(spec.progressDeadlineSeconds === undefined ? {} : { progressDeadlineSeconds: spec.progressDeadlineSeconds }),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...spec.podLabels } },
        spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0.0' }] },
      },
    },
  };
}

async function apply(namespace: string, ...objects: object[]): Promise<void> {
  const input = objects.map((o) => JSON.stringify(o)).join('\n');
  assertOk(await kubectl(['-n', namespace, 'apply', '-f', '-'], { input }));
}

async function jsonpath(namespace: string, ref: string, path: string): Promise<string> {
  const result = await kubectl(['-n', namespace, 'get', ref, '-o', `jsonpath=${path}`]);
  assertOk(result);
  return result.stdout;
}

suite('the local cluster', { concurrency: true }, () => {
  test('a Deployment becomes Available and kubectl rollout status succeeds', async (t) => {
    const ns = await freshNamespace(t);
    await apply(ns, deployment('web', { replicas: 3 }));

    assertOk(await kubectl(['-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=60s']));
    assertOk(await kubectl(['-n', ns, 'wait', '--for=condition=Available', 'deployment/web', '--timeout=30s']));
    assert.equal(await jsonpath(ns, 'deployment/web', '{.status.readyReplicas}'), '3');
  });

  test('a Deployment whose pods never become Ready exceeds its progress deadline', async (t) => {
    const ns = await freshNamespace(t);
    await apply(ns, deployment('bad', { progressDeadlineSeconds: 10, podLabels: { 'switchyard.test/never-ready': 'true' } }));

    assertOk(await kubectl(['-n', ns, 'wait', 'deployment/bad', '--timeout=60s',
      '--for=jsonpath={.status.conditions[?(@.type=="Progressing")].reason}=ProgressDeadlineExceeded']));
    assert.equal(await jsonpath(ns, 'deployment/bad', '{.status.conditions[?(@.type=="Progressing")].status}'), 'False');

    // The pods run but are not Ready, and rollout status reports the failure.
    assert.equal(await jsonpath(ns, 'pods', '{.items[*].status.phase}'), 'Running Running');
    assert.equal(await jsonpath(ns, 'pods', '{.items[*].status.containerStatuses[0].ready}'), 'false false');
    const status = await kubectl(['-n', ns, 'rollout', 'status', 'deployment/bad', '--timeout=10s']);
    assert.notEqual(status.code, 0);
    assert.match(status.stderr, /exceeded its progress deadline/);
  });

  test('a pod labelled to crash ends Failed with a non-zero exit code', async (t) => {
    const ns = await freshNamespace(t);
    await apply(ns, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'crasher', labels: { 'switchyard.test/crash': 'true' } },
      spec: { restartPolicy: 'Never', containers: [{ name: 'app', image: 'registry.example/app:1.0.0' }] },
    });

    assertOk(await kubectl(['-n', ns, 'wait', 'pod/crasher', '--for=jsonpath={.status.phase}=Failed', '--timeout=30s']));
    const terminated = JSON.parse(await jsonpath(ns, 'pod/crasher', '{.status.containerStatuses[0].state.terminated}'));
    assert.equal(terminated.reason, 'Error');
    assert.notEqual(terminated.exitCode, 0);
  });

  test('a Job completes and a deleted pod is gone', async (t) => {
    const ns = await freshNamespace(t);
    await apply(ns, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'once' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'app', image: 'registry.example/app:1.0.0' }] } } },
    }, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'doomed' },
      spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0.0' }] },
    });

    assertOk(await kubectl(['-n', ns, 'wait', 'job/once', '--for=condition=Complete', '--timeout=30s']));
    assertOk(await kubectl(['-n', ns, 'wait', 'pod/doomed', '--for=condition=Ready', '--timeout=30s']));
    assertOk(await kubectl(['-n', ns, 'delete', 'pod/doomed', '--wait=true', '--timeout=30s']));
  });

  test('the HTTPRoute CRD accepts a valid route and rejects an invalid one', async (t) => {
    const ns = await freshNamespace(t);
    const route = (pathType: string): string => JSON.stringify({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'web' },
      spec: {
        parentRefs: [{ name: 'gw' }],
        rules: [{ matches: [{ path: { type: pathType, value: '/' } }], backendRefs: [{ name: 'web', port: 80 }] }],
      },
    });

    assertOk(await kubectl(['-n', ns, 'create', '--dry-run=server', '-f', '-'], { input: route('PathPrefix') }));
    const invalid = await kubectl(['-n', ns, 'create', '--dry-run=server', '-f', '-'], { input: route('Sideways') });
    assert.notEqual(invalid.code, 0);
    assert.match(invalid.stderr, /spec\.rules\[0\]\.matches\[0\]\.path\.type: Unsupported value: "Sideways"/);
  });

  test('RBAC is enforced: a ServiceAccount without a Role may not list pods', async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await kubectl(['-n', ns, 'create', 'serviceaccount', 'nobody']));
    const as = `--as=system:serviceaccount:${ns}:nobody`;

    const canI = await kubectl(['-n', ns, 'auth', 'can-i', 'list', 'pods', as]);
    assert.equal(canI.stdout.trim(), 'no');
    assert.notEqual(canI.code, 0);
    const list = await kubectl(['-n', ns, 'get', 'pods', as]);
    assert.notEqual(list.code, 0);
    assert.match(list.stderr, /Forbidden/);
    assert.equal((await kubectl(['-n', ns, 'auth', 'can-i', 'list', 'pods'])).stdout.trim(), 'yes');
  });
});
