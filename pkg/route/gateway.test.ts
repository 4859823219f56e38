import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gateway } from './gateway.ts';
import { ingress, plan, route, service } from './fixture.test-util.ts';

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

test('gateway: a chart GRPCRoute gets weighted backendRefs and a header rule per version that keeps its method match', () => {
  const grpc = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GRPCRoute',
    metadata: { name: 'web-grpc' },
    spec: { parentRefs: [{ name: 'gw' }], rules: [{ matches: [{ method: { service: 'shop.Cart' } }], backendRefs: [{ name: 'web', port: 80 }] }, { backendRefs: [{ name: 'web', port: 80 }] }] },
  };
  const out = gateway.render({ plan: plan(25), services: [service], routes: [grpc], ingresses: [] });
  assert.deepEqual(out.generated, []);
  const rules = (out.rewritten[0]!.spec as { rules: { name?: string; matches?: { method?: unknown; path?: unknown; headers?: { name: string; value: string }[] }[]; backendRefs: { name: string; weight?: number }[] }[] }).rules;
  assert.deepEqual(rules[0]!.backendRefs.map((r) => [r.name, r.weight]), [['web', 75], ['web-2-0-0', 25]]);
  const header = rules.filter((r) => r.name?.startsWith('switchyard-'));
  assert.deepEqual(header.map((r) => [r.name, r.matches![0]!.method ?? null, r.matches![0]!.path ?? null, r.matches![0]!.headers![0]!.value]), [
    ['switchyard-1-0-0-0', { service: 'shop.Cart' }, null, '1.0.0'],
    ['switchyard-2-0-0-0', { service: 'shop.Cart' }, null, '2.0.0'],
    ['switchyard-1-0-0-1', null, null, '1.0.0'],
    ['switchyard-2-0-0-1', null, null, '2.0.0'],
  ]);
  assert.ok(gateway.isRoute(grpc) && gateway.usedBy({ routes: [grpc], ingresses: [] }));
});
