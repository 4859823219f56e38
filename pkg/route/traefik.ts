import { cloneData } from '../manifest/clone.ts';
import { childName } from '../render/naming.ts';
import type { AppPlan, Track } from '../render/plan.ts';
import type { KubeObject } from '../render/types.ts';
import { mark } from '../render/workload.ts';
import { generatedMeta, ingressHosts, WEIGHTS_ANNOTATION, weightsAnnotation } from './common.ts';
import type { RouteInput, RouteOutput, RouteProvider } from './types.ts';

const API = 'traefik.io/v1alpha1';
/** Annotation on a rewritten IngressRoute: the chart's service refs it replaced, by TraefikService name (JSON). */
const REPLACED_ANNOTATION = 'switchyard.dev/traefik-services';

/** The rule of a header route this provider adds: `(<chart rule>) && Header(`name`, `value`)`. */
const HEADER_RULE = /^\(.*\) && Header\(`[^`]+`, `[^`]+`\)$/s;

interface ServiceRef { name: string; kind?: string; namespace?: string; port?: number | string; weight?: number; [key: string]: unknown }
interface Route { match: string; kind?: string; priority?: number; services?: ServiceRef[]; middlewares?: unknown[]; [key: string]: unknown }
interface IngressRouteSpec { entryPoints?: string[]; routes?: Route[]; [key: string]: unknown }

/**
 * Traefik's own CRDs (`traefik.io/v1alpha1`). Each route of an IngressRoute that sends
 * traffic to the app is pointed at a weighted TraefikService `<svc>-weighted` (the stable
 * Service plus every version with weight), and gets one copy per live version whose rule
 * also requires the version header, sending to that version's Service. The chart's
 * IngressRoute is rewritten; without one, one is generated from the chart's Ingress hosts.
 */
export const traefik: RouteProvider = {
  name: 'traefik',
  capabilities: { maxWeightedVersions: 16, headerRouting: 'every-version', weightStep: 1, split: 'router' },
  writes: [{ apiVersion: API, kind: 'IngressRoute' }, { apiVersion: API, kind: 'TraefikService' }],
  detect: [{ apiVersion: API, kind: 'IngressRoute' }, { apiVersion: API, kind: 'TraefikService' }],
  isRoute: (obj) => obj.kind === 'IngressRoute' && obj.apiVersion === API,
  routeServices: (route) => new Set(routesOf(route).flatMap((r) => (r.services ?? []).filter(isService).map((s) => s.name))),
  routeHosts: (route) => [...new Set(routesOf(route).flatMap((r) => [...r.match.matchAll(/Host\(`([^`]+)`\)/g)].map((m) => m[1]!)))],
  usedBy: (chart) => chart.routes.some((r) => traefik.isRoute(r)),
  render(input: RouteInput): RouteOutput {
    const generated: KubeObject[] = [];
    const rewritten = input.routes.map((route) => rewrite(route, input, generated));
    if (input.routes.length === 0) {
      const route = generate(input, generated);
      if (route !== undefined) generated.unshift(route);
    }
    return { rewritten, generated, warnings: [] };
  },
};

function routesOf(route: KubeObject): Route[] {
  return (route.spec as IngressRouteSpec | undefined)?.routes ?? [];
}

function isService(ref: ServiceRef): boolean {
  return ref.kind === undefined || ref.kind === 'Service';
}

/** The chart's service refs that an earlier render replaced with a TraefikService, by its name. */
function replacedRefs(route: KubeObject): Record<string, ServiceRef> {
  try {
    return JSON.parse(route.metadata.annotations?.[REPLACED_ANNOTATION] ?? '{}') as Record<string, ServiceRef>;
  } catch {
    return {};
  }
}

function rewrite(route: KubeObject, input: RouteInput, generated: KubeObject[]): KubeObject {
  const { plan } = input;
  const out = mark(cloneData(route), plan.app, 'route');
  const spec = (out.spec ?? {}) as IngressRouteSpec;
  out.spec = spec;
  const services = new Set(input.services.map((s) => s.metadata.name));
  const previous = replacedRefs(route);
  const bases = Object.values(previous).map((ref) => ref.name);
  const replaced: Record<string, ServiceRef> = {};
  const restored = (ref: ServiceRef): ServiceRef => (ref.kind === 'TraefikService' && previous[ref.name] !== undefined ? previous[ref.name]! : ref);
  const isOurs = (ref: ServiceRef): boolean => isService(ref) && services.has(ref.name);
  // Drop the header routes an earlier render added: a header rule, sending to a per-version Service.
  const added = (r: Route): boolean => HEADER_RULE.test(r.match) && (r.services ?? []).length === 1 && bases.some((b) => r.services![0]!.name.startsWith(`${b}-`));
  const chartRoutes = (spec.routes ?? [])
    .filter((r) => !added(r))
    .map((r) => (r.services === undefined ? r : { ...r, services: r.services.map(restored) }));
  const routes: Route[] = [];
  for (const r of chartRoutes) {
    const base = r.services?.find(isOurs);
    if (base === undefined) {
      routes.push(r);
      continue;
    }
    const weighted = childName(base.name, 'weighted');
    replaced[weighted] = base;
    if (!generated.some((g) => g.kind === 'TraefikService' && g.metadata.name === weighted)) generated.push(weightedService(weighted, base, route, plan));
    for (const track of plan.tracks.filter((t) => t.serving)) routes.push(headerRoute(r, base, plan, track));
    routes.push({ ...r, services: [{ name: weighted, kind: 'TraefikService' }, ...r.services!.filter((s) => !isOurs(s))] });
  }
  spec.routes = routes;
  out.metadata.annotations = { ...out.metadata.annotations, [REPLACED_ANNOTATION]: JSON.stringify(replaced), [WEIGHTS_ANNOTATION]: weightsAnnotation(plan) };
  return out;
}

/** `<svc>-weighted`: the stable Service plus the per-version Service of every other version with weight. */
function weightedService(name: string, base: ServiceRef, source: KubeObject, plan: AppPlan): KubeObject {
  const { weight: _w, kind: _k, ...ref } = base;
  const list: ServiceRef[] = plan.tracks
    .filter((t) => t.weight > 0)
    .map((t) => ({ ...ref, name: t.role === 'stable' ? base.name : childName(base.name, t.slug), weight: t.weight }));
  const metadata = generatedMeta(name, source, plan);
  return mark({ apiVersion: API, kind: 'TraefikService', metadata, spec: { weighted: { services: list } } }, plan.app, 'canary-route');
}

function headerRoute(route: Route, base: ServiceRef, plan: AppPlan, track: Track): Route {
  const { weight: _w, ...ref } = base;
  const out: Route = { ...cloneData(route), match: `(${route.match}) && Header(\`${plan.header}\`, \`${track.version}\`)` };
  if (route.priority !== undefined) out.priority = route.priority + 1;
  out.services = [{ ...ref, name: childName(base.name, track.slug) }];
  return out;
}

function generate(input: RouteInput, generated: KubeObject[]): KubeObject | undefined {
  const service = input.services[0];
  if (service === undefined) return undefined;
  const port = (service.spec as { ports?: { port?: number }[] } | undefined)?.ports?.[0]?.port;
  const hosts = ingressHosts(input.ingresses, service.metadata.name);
  const match = hosts.length === 0 ? 'PathPrefix(`/`)' : hosts.map((h) => `Host(\`${h}\`)`).join(' || ');
  const ref: ServiceRef = { name: service.metadata.name, ...(port === undefined ? {} : { port }) };
  const chartLike: KubeObject = {
    apiVersion: API,
    kind: 'IngressRoute',
    metadata: generatedMeta(service.metadata.name, service, input.plan),
    spec: { routes: [{ match, kind: 'Rule', services: [ref] }] },
  };
  return rewrite(chartLike, input, generated);
}
