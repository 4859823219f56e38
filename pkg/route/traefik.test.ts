import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planApp } from '../render/plan.ts';
import type { KubeObject } from '../render/types.ts';
import { traefik } from './traefik.ts';
import { ingress, observed, plan, service } from './fixture.test-util.ts';

interface Route { match: string; priority?: number; services: { name: string; kind?: string; port?: number; weight?: number }[]; middlewares?: unknown[] }
const routes = (o: KubeObject): Route[] => (o.spec as { routes: Route[] }).routes;
const weighted = (o: KubeObject): { name: string; weight: number }[] => (o.spec as { weighted: { services: { name: string; weight: number }[] } }).weighted.services;

const chartRoute: KubeObject = {
  apiVersion: 'traefik.io/v1alpha1',
  kind: 'IngressRoute',
  metadata: { name: 'web' },
  spec: {
    entryPoints: ['web'],
    routes: [
      { match: 'Host(`docs.example.com`)', kind: 'Rule', services: [{ name: 'docs', port: 80 }] },
      { match: 'Host(`web.example.com`)', kind: 'Rule', middlewares: [{ name: 'strip' }], services: [{ name: 'web', port: 80 }] },
    ],
  },
};

test('traefik: the chart IngressRoute sends to a weighted TraefikService, with a header route per live version', () => {
  const out = traefik.render({ plan: plan(25), services: [service], routes: [chartRoute], ingresses: [] });
  const rs = routes(out.rewritten[0]!);
  assert.deepEqual(rs.map((r) => [r.match, r.services.map((s) => `${s.kind ?? 'Service'}/${s.name}`)]), [
    ['Host(`docs.example.com`)', ['Service/docs']],
    ['(Host(`web.example.com`)) && Header(`x-version`, `1.0.0`)', ['Service/web-1-0-0']],
    ['(Host(`web.example.com`)) && Header(`x-version`, `2.0.0`)', ['Service/web-2-0-0']],
    ['Host(`web.example.com`)', ['TraefikService/web-weighted']],
  ]);
  assert.deepEqual(rs[1]!.middlewares, [{ name: 'strip' }]);
  assert.equal(out.generated.length, 1);
  const ts = out.generated[0]!;
  assert.deepEqual([ts.kind, ts.metadata.name, ts.metadata.labels?.['switchyard.dev/role']], ['TraefikService', 'web-weighted', 'canary-route']);
  assert.deepEqual(weighted(ts), [{ name: 'web', port: 80, weight: 75 }, { name: 'web-2-0-0', port: 80, weight: 25 }]);
});

test('traefik: rendering its own output with a new plan equals rendering the chart IngressRoute with it, retired versions included', () => {
  const first = traefik.render({ plan: plan(25), services: [service], routes: [chartRoute], ingresses: [] }).rewritten[0]!;
  const single = planApp({ app: 'web', version: '1.0.0', strategy: 'canary', header: 'x-version', observed: { stable: '1.0.0', versions: { '1.0.0': observed(0).versions['1.0.0']! }, weights: {} } });
  for (const p of [plan(100), single]) {
    const again = traefik.render({ plan: p, services: [service], routes: [first], ingresses: [] });
    assert.deepEqual(again, traefik.render({ plan: p, services: [service], routes: [chartRoute], ingresses: [] }));
  }
});

test('traefik: without a chart IngressRoute one is generated from the Ingress hosts, with its TraefikService', () => {
  const out = traefik.render({ plan: plan(0), services: [service], routes: [], ingresses: [ingress] });
  assert.deepEqual(out.generated.map((g) => `${g.kind}/${g.metadata.name}/${g.metadata.labels?.['switchyard.dev/role']}`), ['IngressRoute/web/route', 'TraefikService/web-weighted/canary-route']);
  assert.equal(routes(out.generated[0]!).at(-1)!.match, 'Host(`web.example.com`)');
  assert.deepEqual(weighted(out.generated[1]!), [{ name: 'web', port: 80, weight: 100 }]);
});

test('traefik: a chart route with a priority gets header routes one above it', () => {
  const prioritised = structuredClone(chartRoute);
  routes(prioritised)[1]!.priority = 10;
  const rs = routes(traefik.render({ plan: plan(0), services: [service], routes: [prioritised], ingresses: [] }).rewritten[0]!);
  assert.deepEqual(rs.map((r) => r.priority), [undefined, 11, 11, 10]);
});
