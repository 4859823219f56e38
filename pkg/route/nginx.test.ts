import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planApp } from '../render/plan.ts';
import { nginx } from './nginx.ts';
import { ingress, observed, plan, service } from './fixture.test-util.ts';

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
