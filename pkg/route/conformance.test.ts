// One table run against every provider of the registry: first install, canary at 0/25/100,
// two and three live versions, a second weighted canary (refused where the provider cannot
// split three ways), idempotence over its own output, and the capability checks. Provider-
// specific shapes are in each provider's own test; here only the contract is asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planApp } from '../render/plan.ts';
import type { AppPlan } from '../render/plan.ts';
import type { KubeObject, ObservedApp } from '../render/types.ts';
import { routeTraffic } from './capabilities.ts';
import { readWeights } from './common.ts';
import { ingress, service } from './fixture.test-util.ts';
import { providers, routerNames } from './registry.ts';
import type { RouteOutput, RouteProvider } from './types.ts';

const v = (version: string, replicas = 2): ObservedApp['versions'][string] => ({ version, deployment: `web-${version.replaceAll('.', '-')}`, replicas, readyReplicas: replicas });
const planOf = (version: string, observed: ObservedApp | undefined, strategy: 'canary' | 'bluegreen' = 'canary'): AppPlan => planApp({ app: 'web', version, strategy, header: 'x-version', observed });

const steps: { name: string; plan: AppPlan }[] = [
  { name: 'first install', plan: planOf('1.0.0', undefined) },
  ...[0, 25, 100].map((w) => ({ name: `canary at ${w}`, plan: planOf('2.0.0', { stable: '1.0.0', versions: { '1.0.0': v('1.0.0'), '2.0.0': v('2.0.0', 1) }, weights: { '2.0.0': w } }) })),
  { name: 'three live versions, the canary at 25', plan: planOf('3.0.0', { stable: '2.0.0', versions: { '1.0.0': v('1.0.0', 0), '2.0.0': v('2.0.0'), '3.0.0': v('3.0.0', 1) }, weights: { '3.0.0': 25 } }) },
  { name: 'after promotion', plan: planOf('2.0.0', { stable: '2.0.0', versions: { '1.0.0': v('1.0.0', 0), '2.0.0': v('2.0.0') }, weights: {} }) },
];
const twoCanaries = planOf('3.0.0', { stable: '1.0.0', versions: { '1.0.0': v('1.0.0'), '2.0.0': v('2.0.0', 1), '3.0.0': v('3.0.0', 1) }, weights: { '2.0.0': 10, '3.0.0': 5 } });
const blueGreen = planOf('2.0.0', { stable: '1.0.0', versions: { '1.0.0': v('1.0.0'), '2.0.0': v('2.0.0') }, weights: {} }, 'bluegreen');

/** Renders `plan` the way the post-renderer does for a chart with a Service and an Ingress, then again over its own output. */
function renderTwice(p: RouteProvider, plan: AppPlan): { first: RouteOutput; again: RouteOutput } {
  const first = routeTraffic(p, { plan, services: [service], routes: [], ingresses: [ingress] });
  const standIns = first.generated.filter((o) => o.metadata.labels?.['switchyard.dev/role'] === 'route');
  const again = routeTraffic(p, { plan, services: [service], routes: standIns, ingresses: [ingress] });
  return { first, again };
}

const recorded = (objects: KubeObject[]): (Record<string, number> | undefined)[] => objects.map(readWeights);

for (const name of routerNames) {
  const p = providers[name];
  for (const step of steps) {
    test(`${name}: ${step.name}: every object carries the plan's weights, and rendering its own output gives the same objects`, () => {
      const { first, again } = renderTwice(p, step.plan);
      const weights = Object.fromEntries(step.plan.tracks.map((t) => [t.version, t.weight]));
      for (const w of recorded([...first.generated, ...first.rewritten])) assert.deepEqual(w, weights);
      const standIns = first.generated.filter((o) => o.metadata.labels?.['switchyard.dev/role'] === 'route');
      assert.deepEqual(again.rewritten, standIns, 'a stand-in route rewritten again is unchanged');
      assert.deepEqual(again.generated, first.generated.filter((o) => !standIns.includes(o)), 'the other generated objects are the same');
      for (const o of [...first.generated, ...first.rewritten]) assert.ok(p.writes.some((k) => k.kind === o.kind && k.apiVersion === o.apiVersion), `${name} declares that it writes ${o.kind}`);
    });
  }

  test(`${name}: two weighted canaries are ${p.capabilities.maxWeightedVersions >= 3 ? 'split three ways' : 'refused with the limit'}`, () => {
    if (p.capabilities.maxWeightedVersions >= 3) {
      const { first } = renderTwice(p, twoCanaries);
      for (const w of recorded(first.generated)) assert.deepEqual(w, { '1.0.0': 85, '2.0.0': 10, '3.0.0': 5 });
    } else {
      assert.throws(() => renderTwice(p, twoCanaries), new RegExp(`router ${name} splits traffic between at most ${p.capabilities.maxWeightedVersions} versions`));
    }
  });

  test(`${name}: a blue-green preview is ${p.capabilities.split === 'router' ? 'rendered with no weight' : 'refused'}`, () => {
    if (p.capabilities.split === 'router') {
      const { first } = renderTwice(p, blueGreen);
      for (const w of recorded(first.generated)) assert.deepEqual(w, { '1.0.0': 100, '2.0.0': 0 });
    } else {
      assert.throws(() => renderTwice(p, blueGreen), /cannot hold a blue-green preview apart/);
    }
  });
}

test('every provider reports the hosts of the routes it generates from the chart Ingress (web.example.com) or none', () => {
  const withGateway = { name: 'public', namespace: 'infra' };
  for (const name of routerNames) {
    const p = providers[name];
    const out = routeTraffic(p, { plan: steps[1]!.plan, services: [service], routes: [], ingresses: [ingress], gateway: withGateway });
    const hosts = out.generated.filter((o) => p.isRoute(o)).flatMap((o) => p.routeHosts(o));
    assert.ok(hosts.length === 0 || (hosts.length === 1 && hosts[0] === 'web.example.com'), `${name}: ${hosts.join(', ')}`);
    if (out.generated.some((o) => p.isRoute(o))) assert.deepEqual(hosts, ['web.example.com'], `${name} generates a route for the Ingress host`);
  }
});
