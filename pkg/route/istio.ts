import { cloneData } from '../manifest/clone.ts';
import { BACKENDS_ANNOTATION } from '../render/labels.ts';
import { childName } from '../render/naming.ts';
import type { AppPlan, Track } from '../render/plan.ts';
import type { KubeObject } from '../render/types.ts';
import { mark } from '../render/workload.ts';
import { generatedMeta, ingressHosts, WEIGHTS_ANNOTATION, weightsAnnotation } from './common.ts';
import type { RouteInput, RouteOutput, RouteProvider } from './types.ts';

const GROUP = 'networking.istio.io';
/** Routes switchyard adds are named with this prefix, so a re-render can replace them. */
const ROUTE_PREFIX = 'switchyard-';

interface StringMatch { exact?: string; prefix?: string; regex?: string }
interface HttpMatch { headers?: Record<string, StringMatch>; [key: string]: unknown }
interface Destination { host: string; port?: { number?: number }; subset?: string; [key: string]: unknown }
interface RouteDestination { destination: Destination; weight?: number; [key: string]: unknown }
interface HttpRoute { name?: string; match?: HttpMatch[]; route?: RouteDestination[]; [key: string]: unknown }
interface VirtualServiceSpec { hosts?: string[]; gateways?: string[]; http?: HttpRoute[]; [key: string]: unknown }

/**
 * Istio VirtualService over the per-version Services (no DestinationRule subsets). Each
 * http route that sends traffic to the app keeps its matches, retries, timeouts and other
 * fields, gets weighted destinations (the stable Service plus every version with weight),
 * and is preceded by one header-matched copy per live version. The chart's own
 * VirtualService is rewritten; without one, one is generated for the Service's host (and
 * the Ingress hosts through `--gateway`, an Istio Gateway).
 */
export const istio: RouteProvider = {
  name: 'istio',
  capabilities: { maxWeightedVersions: 16, headerRouting: 'every-version', weightStep: 1, split: 'router' },
  writes: [{ apiVersion: `${GROUP}/v1`, kind: 'VirtualService' }],
  detect: [{ apiVersion: `${GROUP}/v1`, kind: 'VirtualService' }],
  isRoute: (obj) => obj.kind === 'VirtualService' && obj.apiVersion.startsWith(`${GROUP}/`),
  routeServices: (vs) => new Set(httpRoutes(vs).flatMap((r) => (r.route ?? []).map((d) => serviceName(d.destination.host))).filter((n): n is string => n !== undefined)),
  routeHosts: (vs) => ((vs.spec as VirtualServiceSpec | undefined)?.hosts ?? []).filter((h) => h.includes('.') && !h.startsWith('*')),
  usedBy: (chart) => chart.routes.some((r) => istio.isRoute(r)),
  render(input: RouteInput): RouteOutput {
    const warnings: string[] = [];
    const rewritten = input.routes.map((vs) => rewrite(vs, input, warnings));
    const generated = input.routes.length === 0 ? generate(input) : [];
    return { rewritten, generated, warnings };
  },
};

function httpRoutes(vs: KubeObject): HttpRoute[] {
  return (vs.spec as VirtualServiceSpec | undefined)?.http ?? [];
}

/** The Service name of a destination host in the object's namespace (`web`, `web.ns`, `web.ns.svc…`); undefined for other hosts. */
function serviceName(host: string): string | undefined {
  const parts = host.split('.');
  return parts.length === 1 || parts.length === 2 || parts[2] === 'svc' ? parts[0] : undefined;
}

/** `host` with its Service name replaced by `name` (keeping `.ns.svc.cluster.local`). */
function withService(host: string, name: string): string {
  const dot = host.indexOf('.');
  return dot < 0 ? name : name + host.slice(dot);
}

function rewrite(vs: KubeObject, input: RouteInput, warnings: string[]): KubeObject {
  const { plan } = input;
  const out = mark(cloneData(vs), plan.app, 'route');
  const spec = (out.spec ?? {}) as VirtualServiceSpec;
  out.spec = spec;
  const services = new Set(input.services.map((s) => s.metadata.name));
  const managed = new Set((vs.metadata.annotations?.[BACKENDS_ANNOTATION] ?? '').split(',').filter((n) => n !== ''));
  const inserted = new Set<string>();
  const http: HttpRoute[] = [];
  (spec.http ?? []).filter((r) => !(r.name ?? '').startsWith(ROUTE_PREFIX)).forEach((route, index) => {
    const dests = route.route ?? [];
    const isOurs = (d: RouteDestination): boolean => {
      const name = serviceName(d.destination.host);
      return name !== undefined && (services.has(name) || managed.has(name));
    };
    const base = dests.find((d) => isOurs(d) && services.has(serviceName(d.destination.host)!));
    if (base === undefined) {
      http.push(route);
      return;
    }
    const others = dests.filter((d) => !isOurs(d));
    if (others.length > 0) warnings.push(`VirtualService ${vs.metadata.name}: http route ${index} also sends traffic to ${others.map((d) => d.destination.host).join(', ')}; switchyard's weights are relative to them`);
    const name = serviceName(base.destination.host)!;
    // A header route only for versions that run pods (a retained version scaled to zero has none).
    for (const track of plan.tracks.filter((t) => t.serving)) {
      const host = withService(base.destination.host, childName(name, track.slug));
      http.push(headerRoute(route, base, host, plan, track, `${ROUTE_PREFIX}${track.slug}-${index}`));
      inserted.add(childName(name, track.slug));
    }
    route.route = [...weighted(base, name, plan), ...others];
    http.push(route);
  });
  spec.http = http;
  out.metadata.annotations = { ...out.metadata.annotations, [BACKENDS_ANNOTATION]: [...inserted].sort().join(','), [WEIGHTS_ANNOTATION]: weightsAnnotation(plan) };
  return out;
}

/** The stable Service plus the per-version Service of every other version that gets traffic. */
function weighted(base: RouteDestination, name: string, plan: AppPlan): RouteDestination[] {
  const { subset: _s, ...destination } = base.destination;
  const out: RouteDestination[] = [];
  for (const track of plan.tracks) {
    if (track.role !== 'stable' && track.weight === 0) continue;
    const host = track.role === 'stable' ? base.destination.host : withService(base.destination.host, childName(name, track.slug));
    out.push({ ...cloneData(base), destination: { ...destination, host }, weight: track.weight });
  }
  return out;
}

function headerRoute(route: HttpRoute, base: RouteDestination, host: string, plan: AppPlan, track: Track, name: string): HttpRoute {
  const header = plan.header.toLowerCase();
  const { subset: _s, ...destination } = base.destination;
  const { weight: _w, ...dest } = cloneData(base);
  const matches = (route.match ?? [{}]).map((m) => {
    const headers = Object.fromEntries(Object.entries(m.headers ?? {}).filter(([k]) => k.toLowerCase() !== header));
    return { ...cloneData(m), headers: { ...headers, [header]: { exact: track.version } } };
  });
  const { name: _n, match: _m, route: _r, mirror: _mirror, mirrorPercentage: _mp, ...rest } = cloneData(route);
  return { name, match: matches, ...rest, route: [{ ...dest, destination: { ...destination, host } }] };
}

function generate(input: RouteInput): KubeObject[] {
  const service = input.services[0];
  if (service === undefined) return [];
  const name = service.metadata.name;
  const port = (service.spec as { ports?: { port?: number }[] } | undefined)?.ports?.[0]?.port;
  const destination: Destination = { host: name, ...(port === undefined ? {} : { port: { number: port } }) };
  const spec: VirtualServiceSpec = {};
  if (input.gateway === undefined) {
    spec.hosts = [name];
  } else {
    const hosts = ingressHosts(input.ingresses, name);
    spec.hosts = hosts.length > 0 ? hosts : ['*'];
    spec.gateways = [input.gateway.namespace === undefined ? input.gateway.name : `${input.gateway.namespace}/${input.gateway.name}`];
  }
  spec.http = [{ name: 'primary', route: [{ destination }] }];
  const vs: KubeObject = { apiVersion: `${GROUP}/v1`, kind: 'VirtualService', metadata: generatedMeta(name, service, input.plan), spec };
  return [rewrite(vs, input, [])];
}
