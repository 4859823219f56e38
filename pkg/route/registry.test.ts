import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planApp } from '../render/plan.ts';
import { checkPlan, routeTraffic } from './capabilities.ts';
import { ingress, observed, route, service } from './fixture.test-util.ts';
import { kindKey, provider, providers, routeKinds, routerNames, selectRouter, servedRouters } from './registry.ts';

test('an unknown router name is an error that lists the valid ones', () => {
  assert.throws(() => provider('envoy'), new RegExp(`unknown router "envoy"; valid routers: ${routerNames.join(', ')}`));
});

const none = { routes: [], ingresses: [] };
const cases: { name: string; query: Parameters<typeof selectRouter>[0]; want: string }[] = [
  { name: '--router wins over what the chart uses', query: { router: 'nginx', chart: { routes: [route], ingresses: [] } }, want: 'nginx/flag' },
  { name: 'a chart HTTPRoute picks gateway', query: { chart: { routes: [route], ingresses: [ingress] } }, want: 'gateway/chart' },
  { name: 'a chart Ingress alone picks nginx', query: { chart: { routes: [], ingresses: [ingress] } }, want: 'nginx/chart' },
  { name: 'nothing in the chart, cluster serves the Gateway API: gateway', query: { chart: none, served: ['gateway'] }, want: 'gateway/cluster' },
  { name: 'nothing in the chart, offline: the default', query: { chart: none }, want: 'gateway/default' },
  { name: 'nothing in the chart, the cluster serves none: service, which needs nothing installed', query: { chart: none, served: [] }, want: 'service/fallback' },
];
for (const c of cases) {
  test(`router inference: ${c.name}`, () => {
    const got = selectRouter(c.query);
    assert.equal(`${got.name}/${got.by}`, c.want);
  });
}

test('a provider is served when every kind it is detected by is served; one without detection kinds never is', () => {
  const all = new Set(routeKinds().map(kindKey));
  assert.deepEqual(servedRouters(all), routerNames.filter((n) => providers[n].detect.length > 0));
  assert.deepEqual(servedRouters(new Set()), []);
});

test('every provider declares what it writes, claims only kinds it writes, and has coherent capabilities', () => {
  for (const name of routerNames) {
    const p = providers[name];
    assert.equal(p.name, name);
    assert.ok(p.writes.length > 0 || p.capabilities.split === 'replicas', `${name} writes something, or splits by replicas`);
    for (const k of p.writes) if (p.isRoute(k)) assert.ok(p.writes.includes(k), `${name} claims ${k.kind}`);
    assert.ok(p.capabilities.maxWeightedVersions >= 1 && p.capabilities.weightStep >= 1, `${name} capabilities`);
  }
});

test('a plan with more weighted versions than the router splits between is refused before rendering', () => {
  const p = planApp({ app: 'web', version: '3.0.0', strategy: 'canary', header: 'x-version', observed: { ...observed(10), weights: { '2.0.0': 10, '3.0.0': 5 } } });
  assert.throws(() => routeTraffic(providers.nginx, { plan: p, services: [service], routes: [], ingresses: [ingress] }), /router nginx splits traffic between at most 2 versions, but 1\.0\.0, 2\.0\.0, 3\.0\.0 have weight/);
  assert.doesNotThrow(() => checkPlan(providers.gateway, p));
});

test('a weight off the router\'s granularity is refused', () => {
  const coarse = { ...providers.gateway, capabilities: { ...providers.gateway.capabilities, weightStep: 5 } };
  const p = planApp({ app: 'web', version: '2.0.0', strategy: 'canary', header: 'x-version', observed: observed(12) });
  assert.throws(() => checkPlan(coarse, p), /steps of 5%, not 12% \(2\.0\.0\)/);
});
