import { cloneData } from '../manifest/clone.ts';
import { RenderError } from '../render/errors.ts';
import { childName } from '../render/naming.ts';
import type { AppPlan, Track } from '../render/plan.ts';
import type { KubeObject } from '../render/types.ts';
import { mark } from '../render/workload.ts';
import { generatedMeta, ingressServiceNames } from './common.ts';
import type { IngressPath, IngressSpec } from './common.ts';
import type { RouteInput, RouteOutput, RouteProvider } from './types.ts';

const PREFIX = 'nginx.ingress.kubernetes.io/';
const CANARY_KEYS = ['canary', 'canary-weight', 'canary-weight-total', 'canary-by-header', 'canary-by-header-value', 'canary-by-header-pattern', 'canary-by-cookie'].map((k) => PREFIX + k);

/**
 * NGINX Ingress canary annotations. The chart's Ingress is left as it is: it sends traffic
 * to the chart's Service, which is pinned to the stable version. For the one version being
 * rolled out, a canary Ingress `<ingress>-canary` mirrors the chart Ingress's hosts and
 * paths with `canary-weight` and `canary-by-header`. ingress-nginx allows one canary per
 * host and path, so only that version is weighted or reachable by header here.
 */
export const nginx: RouteProvider = {
  name: 'nginx',
  capabilities: { maxWeightedVersions: 2, headerRouting: 'canary-only', weightStep: 1, split: 'router' },
  writes: [{ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' }],
  // The Ingress API is always served; whether ingress-nginx runs behind it cannot be told.
  detect: [],
  isRoute: () => false,
  routeServices: () => new Set(),
  routeHosts: () => [],
  usedBy: (chart) => chart.ingresses.length > 0,
  render(input: RouteInput): RouteOutput {
    const { plan } = input;
    const warnings: string[] = [];
    if (input.ingresses.length === 0) {
      return { rewritten: [], generated: [], warnings: [`Deployment ${plan.app}: no Ingress sends traffic to its Services, so there is nothing for ingress-nginx to split; traffic follows the stable Service`] };
    }
    const weighted = plan.tracks.filter((t) => t.role !== 'stable' && t.weight > 0);
    const canary = canaryTrack(plan);
    if (weighted.length > 1 || (weighted[0] !== undefined && weighted[0] !== canary)) {
      throw new RenderError('too-many-versions', `Deployment ${plan.app}: ingress-nginx routes weighted traffic to one canary only, but ${weighted.map((t) => t.version).join(', ')} have weight`);
    }
    const generated: KubeObject[] = [];
    if (canary !== undefined) {
      const names = new Set(input.services.map((s) => s.metadata.name));
      for (const ingress of input.ingresses) generated.push(canaryIngress(ingress, names, plan, canary));
      const retained = plan.tracks.filter((t) => t.role === 'retained').map((t) => t.version);
      if (retained.length > 0) warnings.push(`Deployment ${plan.app}: with ingress-nginx, versions ${retained.join(', ')} are reachable only through their own Services`);
    }
    return { rewritten: [], generated, warnings };
  },
};

/** The version the canary Ingress serves: the one being rolled out, else the newest weighted one. */
function canaryTrack(plan: AppPlan): Track | undefined {
  return plan.tracks.find((t) => t.role === 'canary' || t.role === 'preview') ?? plan.tracks.find((t) => t.role !== 'stable' && t.weight > 0);
}

function canaryIngress(ingress: KubeObject, services: Set<string>, plan: AppPlan, track: Track): KubeObject {
  const src = (ingress.spec ?? {}) as IngressSpec;
  const spec: IngressSpec = {};
  if (src.ingressClassName !== undefined) spec.ingressClassName = src.ingressClassName;
  const toCanary = (name: string): string => childName(name, track.slug);
  spec.rules = (src.rules ?? []).flatMap((rule) => {
    const paths: IngressPath[] = (rule.http?.paths ?? [])
      .filter((p) => p.backend.service !== undefined && services.has(p.backend.service.name))
      .map((p) => ({ ...cloneData(p), backend: { service: { ...cloneData(p.backend.service!), name: toCanary(p.backend.service!.name) } } }));
    return paths.length === 0 ? [] : [{ ...(rule.host === undefined ? {} : { host: rule.host }), http: { paths } }];
  });
  const defaultService = src.defaultBackend?.service;
  if (defaultService !== undefined && services.has(defaultService.name)) spec.defaultBackend = { service: { ...cloneData(defaultService), name: toCanary(defaultService.name) } };
  if (src.tls !== undefined) spec.tls = cloneData(src.tls);
  const metadata = generatedMeta(childName(ingress.metadata.name, 'canary'), ingress, plan);
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(ingress.metadata.annotations ?? {})) if (!CANARY_KEYS.includes(key)) annotations[key] = value;
  Object.assign(annotations, metadata.annotations, {
    [`${PREFIX}canary`]: 'true',
    [`${PREFIX}canary-weight`]: String(track.weight),
    [`${PREFIX}canary-weight-total`]: '100',
    [`${PREFIX}canary-by-header`]: plan.header,
    [`${PREFIX}canary-by-header-value`]: track.version,
  });
  metadata.annotations = annotations;
  return mark({ apiVersion: ingress.apiVersion, kind: 'Ingress', metadata, spec }, plan.app, 'canary-route');
}

