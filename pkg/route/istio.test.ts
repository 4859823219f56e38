import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../render/types.ts';
import { istio } from './istio.ts';
import { ingress, plan, service } from './fixture.test-util.ts';

interface Route { name?: string; match?: { uri?: unknown; headers?: Record<string, { exact: string }> }[]; route: { destination: { host: string; port?: { number: number } }; weight?: number }[]; retries?: unknown; timeout?: string }
const http = (vs: KubeObject): Route[] => (vs.spec as { http: Route[] }).http;

const chartVs: KubeObject = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'web', annotations: { team: 'a' } },
  spec: {
    hosts: ['web.example.com'],
    gateways: ['istio-system/public'],
    http: [
      { name: 'docs', match: [{ uri: { prefix: '/docs' } }], route: [{ destination: { host: 'docs' } }] },
      { name: 'main', match: [{ uri: { prefix: '/' } }], retries: { attempts: 3 }, timeout: '5s', route: [{ destination: { host: 'web.default.svc.cluster.local', port: { number: 80 } } }] },
    ],
  },
};

test('istio: the chart VirtualService keeps its other routes, retries and timeout; a header route per version comes before the weighted route', () => {
  const out = istio.render({ plan: plan(25), services: [service], routes: [chartVs], ingresses: [] });
  const routes = http(out.rewritten[0]!);
  assert.deepEqual(routes.map((r) => r.name), ['docs', 'switchyard-1-0-0-1', 'switchyard-2-0-0-1', 'main']);
  assert.deepEqual(routes[0], (chartVs.spec as { http: Route[] }).http[0]);
  assert.deepEqual(routes.slice(1, 3).map((r) => [r.match![0]!.headers!['x-version']!.exact, r.match![0]!.uri, r.route.map((d) => d.destination.host), r.timeout]), [
    ['1.0.0', { prefix: '/' }, ['web-1-0-0.default.svc.cluster.local'], '5s'],
    ['2.0.0', { prefix: '/' }, ['web-2-0-0.default.svc.cluster.local'], '5s'],
  ]);
  const main = routes[3]!;
  assert.deepEqual(main.route.map((d) => [d.destination.host, d.destination.port?.number, d.weight]), [['web.default.svc.cluster.local', 80, 75], ['web-2-0-0.default.svc.cluster.local', 80, 25]]);
  assert.deepEqual([main.retries, main.timeout], [{ attempts: 3 }, '5s']);
  assert.equal(out.rewritten[0]!.metadata.annotations?.team, 'a');
  assert.deepEqual(out.generated, []);
});

test('istio: rendering its own output with a new plan equals rendering the chart VirtualService with it', () => {
  const first = istio.render({ plan: plan(25), services: [service], routes: [chartVs], ingresses: [] }).rewritten[0]!;
  const again = istio.render({ plan: plan(100), services: [service], routes: [first], ingresses: [] }).rewritten[0]!;
  assert.deepEqual(again, istio.render({ plan: plan(100), services: [service], routes: [chartVs], ingresses: [] }).rewritten[0]);
  assert.deepEqual(http(again).at(-1)!.route.map((d) => [d.destination.host, d.weight]), [['web.default.svc.cluster.local', 0], ['web-2-0-0.default.svc.cluster.local', 100]]);
});

test('istio: without a chart VirtualService one is generated for the mesh host, or for the Ingress hosts through --gateway', () => {
  const mesh = istio.render({ plan: plan(0), services: [service], routes: [], ingresses: [ingress] }).generated[0]!;
  assert.deepEqual((mesh.spec as { hosts: string[]; gateways?: string[] }).hosts, ['web']);
  assert.equal((mesh.spec as { gateways?: string[] }).gateways, undefined);
  assert.deepEqual(http(mesh).map((r) => r.name), ['switchyard-1-0-0-0', 'switchyard-2-0-0-0', 'primary']);
  assert.deepEqual(http(mesh).at(-1)!.route, [{ destination: { host: 'web', port: { number: 80 } }, weight: 100 }]);
  const edge = istio.render({ plan: plan(0), services: [service], routes: [], ingresses: [ingress], gateway: { name: 'public', namespace: 'istio-system' } }).generated[0]!;
  assert.deepEqual(edge.spec && [(edge.spec as { hosts: string[] }).hosts, (edge.spec as { gateways: string[] }).gateways], [['web.example.com'], ['istio-system/public']]);
  assert.equal(edge.metadata.labels?.['switchyard.dev/role'], 'route');
});

test('istio: claims VirtualServices of any served version and reads the Services they send to', () => {
  assert.ok(istio.isRoute({ apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService' }));
  assert.ok(!istio.isRoute({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' }));
  assert.deepEqual([...istio.routeServices(chartVs)].sort(), ['docs', 'web']);
  assert.ok(istio.usedBy({ routes: [chartVs], ingresses: [] }));
});
