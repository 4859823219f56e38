import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planApp } from '../render/plan.ts';
import type { KubeObject, ObservedApp } from '../render/types.ts';
import { gateway } from './gateway.ts';
import { nginx } from './nginx.ts';
import { provider } from './registry.ts';

const service: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } };
const route: KubeObject = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'web' },
  spec: { parentRefs: [{ name: 'gw' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'web', port: 80 }] }] },
};
const ingress: KubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web', annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' } },
  spec: { ingressClassName: 'nginx', rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
};
const observed = (weight: number): ObservedApp => ({ stable: '1.0.0', canary: '2.0.0', versions: { '1.0.0': { version: '1.0.0', deployment: 'web-1-0-0', replicas: 2, readyReplicas: 2 }, '2.0.0': { version: '2.0.0', deployment: 'web-2-0-0', replicas: 1, readyReplicas: 1 } }, weights: { '2.0.0': weight } });
const plan = (weight: number) => planApp({ app: 'web', version: '2.0.0', strategy: 'canary', header: 'x-version', observed: observed(weight) });

test('gateway: the stable Service and the canary share the traffic, and every version has a header rule', () => {
  const [out] = gateway.render({ plan: plan(25), services: [service], routes: [route], ingresses: [] }).rewritten;
  const rules = (out!.spec as { rules: { name?: string; backendRefs: { name: string; weight?: number }[]; matches: { headers?: { value: string }[] }[] }[] }).rules;
  assert.deepEqual(rules[0]!.backendRefs, [{ name: 'web', port: 80, weight: 75 }, { name: 'web-2-0-0', port: 80, weight: 25 }]);
  assert.deepEqual(rules.slice(1).map((r) => [r.name, r.matches[0]!.headers![0]!.value, r.backendRefs[0]!.name]), [['switchyard-1-0-0-0', '1.0.0', 'web-1-0-0'], ['switchyard-2-0-0-0', '2.0.0', 'web-2-0-0']]);
});

test('gateway: rendering its own output with a new plan equals rendering the chart route with it', () => {
  const first = gateway.render({ plan: plan(25), services: [service], routes: [route], ingresses: [] }).rewritten[0]!;
  const again = gateway.render({ plan: plan(50), services: [service], routes: [first], ingresses: [] }).rewritten[0]!;
  const direct = gateway.render({ plan: plan(50), services: [service], routes: [route], ingresses: [] }).rewritten[0]!;
  assert.deepEqual(again, direct);
});

test('gateway: without a chart route one is generated from the Ingress hosts and attached to --gateway', () => {
  const out = gateway.render({ plan: plan(0), services: [service], routes: [], ingresses: [ingress], gateway: { name: 'public', namespace: 'infra' } });
  const spec = out.generated[0]!.spec as { hostnames: string[]; parentRefs: { name: string; namespace: string }[] };
  assert.deepEqual(spec.hostnames, ['web.example.com']);
  assert.deepEqual(spec.parentRefs.map((p) => `${p.namespace}/${p.name}`), ['infra/public']);
  assert.equal(out.warnings.length, 0);
});

test('nginx: one canary Ingress mirrors the chart Ingress with weight and header, keeping its annotations', () => {
  const out = nginx.render({ plan: plan(25), services: [service], routes: [], ingresses: [ingress] });
  const canary = out.generated[0]!;
  assert.equal(canary.metadata.name, 'web-canary');
  const a = canary.metadata.annotations!;
  assert.equal(a['nginx.ingress.kubernetes.io/canary-weight'], '25');
  assert.equal(a['nginx.ingress.kubernetes.io/canary-by-header-value'], '2.0.0');
  assert.equal(a['nginx.ingress.kubernetes.io/proxy-body-size'], '8m');
  assert.deepEqual(out.rewritten, []);
});

test('nginx: two weighted non-stable versions are refused, as ingress-nginx allows one canary', () => {
  const p = planApp({ app: 'web', version: '3.0.0', strategy: 'canary', header: 'x-version', observed: { ...observed(10), weights: { '2.0.0': 10, '3.0.0': 5 } } });
  assert.throws(() => nginx.render({ plan: p, services: [service], routes: [], ingresses: [ingress] }), /one canary only/);
});

test('an unknown router name is an error that lists the valid ones', () => {
  assert.throws(() => provider('envoy'), /unknown router "envoy"; valid routers: gateway, nginx/);
});
