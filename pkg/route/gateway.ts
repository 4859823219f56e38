import { cloneData } from '../manifest/clone.ts';
import { BACKENDS_ANNOTATION } from '../render/labels.ts';
import { RenderError } from '../render/errors.ts';
import { childName } from '../render/naming.ts';
import type { AppPlan, Track } from '../render/plan.ts';
import type { KubeObject } from '../render/types.ts';
import { mark } from '../render/workload.ts';
import { generatedMeta, httpRouteServiceNames, ingressServiceNames, isServiceRef, WEIGHTS_ANNOTATION, weightsAnnotation } from './common.ts';
import type { BackendRef, IngressSpec } from './common.ts';
import type { RouteInput, RouteOutput, RouteProvider } from './types.ts';

const GROUP = 'gateway.networking.k8s.io';
/** The route kinds rewritten the same way; only HTTPRoutes are generated. */
const KINDS = ['HTTPRoute', 'GRPCRoute'];
const MAX_RULES = 16;
/** Rules switchyard adds are named with this prefix, so a re-render can replace them. */
export const RULE_PREFIX = 'switchyard-';

interface HeaderMatch { type?: string; name: string; value: string }
interface RouteMatch { path?: { type?: string; value?: string }; method?: unknown; headers?: HeaderMatch[]; [key: string]: unknown }
interface RouteRule { name?: string; matches?: RouteMatch[]; filters?: unknown[]; backendRefs?: BackendRef[]; timeouts?: unknown; [key: string]: unknown }
interface RouteSpec { parentRefs?: unknown[]; hostnames?: string[]; rules?: RouteRule[]; [key: string]: unknown }

/**
 * Gateway API HTTPRoute and GRPCRoute. The chart's own route keeps its name, parents and matches;
 * each rule that sends traffic to the app gets weighted backendRefs (the stable Service
 * plus the per-version Service of every version with weight) and one header-matched rule
 * per live version. When the chart has no HTTPRoute, one is generated from its Ingress
 * hosts and paths (or `/`), attached to `--gateway`.
 */
export const gateway: RouteProvider = {
  name: 'gateway',
  capabilities: { maxWeightedVersions: 16, headerRouting: 'every-version', weightStep: 1, split: 'router' },
  writes: KINDS.map((kind) => ({ apiVersion: `${GROUP}/v1`, kind })),
  detect: [{ apiVersion: `${GROUP}/v1`, kind: 'HTTPRoute' }],
  isRoute: (obj) => KINDS.includes(obj.kind) && obj.apiVersion.startsWith(`${GROUP}/`),
  routeServices: httpRouteServiceNames,
  routeHosts: (route) => (route.spec as RouteSpec | undefined)?.hostnames ?? [],
  usedBy: (chart) => chart.routes.some((r) => gateway.isRoute(r)),
  render(input: RouteInput): RouteOutput {
    const warnings: string[] = [];
    const rewritten = input.routes.map((route) => rewriteRoute(route, input, warnings));
    const generated: KubeObject[] = [];
    if (input.routes.length === 0) {
      const route = generateRoute(input, warnings);
      if (route !== undefined) generated.push(route);
    }
    return { rewritten, generated, warnings };
  },
};

function rewriteRoute(route: KubeObject, input: RouteInput, warnings: string[]): KubeObject {
  const { plan } = input;
  const out = mark(cloneData(route), plan.app, 'route');
  const spec = (out.spec ?? {}) as RouteSpec;
  out.spec = spec;
  const services = new Map(input.services.map((s) => [s.metadata.name, s]));
  const managed = new Set((route.metadata.annotations?.[BACKENDS_ANNOTATION] ?? '').split(',').filter((n) => n !== ''));
  const inserted = new Set<string>();
  const chartRules = (spec.rules ?? []).filter((rule) => !(rule.name ?? '').startsWith(RULE_PREFIX));
  const headerRules: RouteRule[] = [];
  chartRules.forEach((rule, index) => {
    const refs = rule.backendRefs ?? [];
    const ours = refs.filter((ref) => isServiceRef(ref) && (services.has(ref.name) || managed.has(ref.name)));
    const base = ours.find((ref) => services.has(ref.name));
    if (base === undefined) return;
    const others = refs.filter((ref) => !ours.includes(ref));
    if (others.length > 0) warnings.push(`${route.kind} ${route.metadata.name}: rule ${index} also sends traffic to ${others.map((r) => r.name).join(', ')}; switchyard's weights are relative to them`);
    const weighted = weightedRefs(base, plan);
    for (const ref of weighted) if (ref.name !== base.name) inserted.add(ref.name);
    rule.backendRefs = [...weighted, ...others];
    // A header route only for versions that run pods: a retained version scaled to zero has none.
    for (const track of plan.tracks.filter((t) => t.serving)) {
      headerRules.push(headerRule(route.kind, rule, base, plan, track, `${RULE_PREFIX}${track.slug}-${index}`));
      inserted.add(childName(base.name, track.slug));
    }
  });
  const rules = [...chartRules, ...headerRules];
  if (rules.length > MAX_RULES) {
    throw new RenderError('too-many-versions', `${route.kind} ${route.metadata.name}: ${plan.tracks.length} live versions need ${rules.length} rules, more than Gateway API's ${MAX_RULES}; retire versions with --keep`);
  }
  spec.rules = rules;
  out.metadata.annotations = { ...out.metadata.annotations, [BACKENDS_ANNOTATION]: [...inserted].sort().join(','), [WEIGHTS_ANNOTATION]: weightsAnnotation(plan) };
  return out;
}

/** The stable Service plus the per-version Service of every other version that gets traffic. */
function weightedRefs(base: BackendRef, plan: AppPlan): BackendRef[] {
  const { weight: _w, ...rest } = base;
  const refs: BackendRef[] = [];
  for (const track of plan.tracks) {
    if (track.role === 'stable') refs.push({ ...rest, name: base.name, weight: track.weight });
    else if (track.weight > 0) refs.push({ ...rest, name: childName(base.name, track.slug), weight: track.weight });
  }
  return refs;
}

function headerRule(kind: string, rule: RouteRule, base: BackendRef, plan: AppPlan, track: Track, name: string): RouteRule {
  const { weight: _w, ...rest } = base;
  const header = plan.header.toLowerCase();
  const everything: RouteMatch = kind === 'GRPCRoute' ? {} : { path: { type: 'PathPrefix', value: '/' } };
  const matches = (rule.matches ?? [everything]).map((match) => ({
    ...cloneData(match),
    headers: [...(match.headers ?? []).filter((h) => h.name.toLowerCase() !== header), { type: 'Exact', name: plan.header, value: track.version }],
  }));
  const out: RouteRule = { name, matches };
  if (rule.filters !== undefined) out.filters = cloneData(rule.filters);
  out.backendRefs = [{ ...rest, name: childName(base.name, track.slug) }];
  if (rule.timeouts !== undefined) out.timeouts = cloneData(rule.timeouts);
  return out;
}

function generateRoute(input: RouteInput, warnings: string[]): KubeObject | undefined {
  const { plan } = input;
  const service = input.services[0];
  if (service === undefined) return undefined;
  const port = (service.spec as { ports?: { port?: number }[] } | undefined)?.ports?.[0]?.port;
  const base: BackendRef = { name: service.metadata.name, ...(port === undefined ? {} : { port }) };
  const { hostnames, matches } = fromIngresses(input.ingresses, service.metadata.name);
  const rule: RouteRule = matches.length > 0 ? { matches } : {};
  rule.backendRefs = [base];
  const chartRoute: KubeObject = { apiVersion: `${GROUP}/v1`, kind: 'HTTPRoute', metadata: generatedMeta(service.metadata.name, service, plan), spec: {} };
  const spec: RouteSpec = {};
  if (input.gateway !== undefined) {
    const parent: Record<string, string> = { group: GROUP, kind: 'Gateway', name: input.gateway.name };
    if (input.gateway.namespace !== undefined) parent.namespace = input.gateway.namespace;
    if (input.gateway.sectionName !== undefined) parent.sectionName = input.gateway.sectionName;
    spec.parentRefs = [parent];
  } else {
    warnings.push(`HTTPRoute ${service.metadata.name}: generated without a parent Gateway; pass --gateway <namespace>/<name> to attach it`);
  }
  if (hostnames.length > 0) spec.hostnames = hostnames;
  spec.rules = [rule];
  chartRoute.spec = spec;
  return rewriteRoute(chartRoute, input, warnings);
}

function fromIngresses(ingresses: KubeObject[], serviceName: string): { hostnames: string[]; matches: RouteMatch[] } {
  const hostnames = new Set<string>();
  const matches = new Map<string, RouteMatch>();
  for (const ingress of ingresses) {
    if (!ingressServiceNames(ingress).has(serviceName)) continue;
    for (const rule of (ingress.spec as IngressSpec | undefined)?.rules ?? []) {
      if (rule.host !== undefined && !rule.host.startsWith('*')) hostnames.add(rule.host);
      for (const path of rule.http?.paths ?? []) {
        if (path.backend.service?.name !== serviceName) continue;
        const type = path.pathType === 'Exact' ? 'Exact' : 'PathPrefix';
        const value = path.path ?? '/';
        matches.set(`${type} ${value}`, { path: { type, value } });
      }
    }
  }
  const list = [...matches.values()];
  return { hostnames: [...hostnames].sort(), matches: list.length === 1 && list[0]?.path?.value === '/' && list[0].path.type === 'PathPrefix' ? [] : list };
}
