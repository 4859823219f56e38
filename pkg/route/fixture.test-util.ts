// Shared fixtures of the provider tests: one app `web` with a Service, a chart HTTPRoute and an Ingress.
import { planApp } from '../render/plan.ts';
import type { AppPlan } from '../render/plan.ts';
import type { KubeObject, ObservedApp } from '../render/types.ts';

export const service: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } };
export const route: KubeObject = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'web' },
  spec: { parentRefs: [{ name: 'gw' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'web', port: 80 }] }] },
};
export const ingress: KubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web', annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '8m' } },
  spec: { ingressClassName: 'nginx', rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
};
/** 1.0.0 stable, 2.0.0 the canary at `weight`. */
export const observed = (weight: number): ObservedApp => ({ stable: '1.0.0', canary: '2.0.0', versions: { '1.0.0': { version: '1.0.0', deployment: 'web-1-0-0', replicas: 2, readyReplicas: 2 }, '2.0.0': { version: '2.0.0', deployment: 'web-2-0-0', replicas: 1, readyReplicas: 1 } }, weights: { '2.0.0': weight } });
/** The plan of {@link observed}. */
export const plan = (weight: number): AppPlan => planApp({ app: 'web', version: '2.0.0', strategy: 'canary', header: 'x-version', observed: observed(weight) });

