import { RenderError } from '../render/errors.ts';
import type { KubeObject } from '../render/types.ts';
import { gateway } from './gateway.ts';
import { istio } from './istio.ts';
import { nginx } from './nginx.ts';
import { service } from './service.ts';
import { traefik } from './traefik.ts';
import type { ChartRouting, KindRef, RouteProvider } from './types.ts';

/**
 * Every traffic provider, by name: adding one is its file, its test and a line here. The
 * order is the order of inference: the first provider a chart uses wins, then the first one
 * the cluster serves.
 */
const registry = {
  gateway,
  istio,
  traefik,
  nginx,
  service,
};

/** The names of the traffic providers: exactly the registry's keys. */
export type RouterName = keyof typeof registry;

/** Every traffic provider, by name, in registry order. */
export const providers: { readonly [N in RouterName]: RouteProvider } = registry;

/** The provider names, in registry order, for flags and messages. */
export const routerNames: readonly RouterName[] = Object.keys(providers) as RouterName[];

/** The provider used when nothing tells which one to use and the cluster is not read. */
const OFFLINE_DEFAULT: RouterName = 'gateway';
/** The provider used when the cluster serves none that can be detected: it needs nothing installed. */
const FALLBACK: RouterName = 'service';

/** The provider called `name`; an unknown name is an error listing the valid ones. */
export function provider(name: string): RouteProvider {
  if (!isRouterName(name)) throw new RenderError('bad-option', `unknown router "${name}"; valid routers: ${routerNames.join(', ')}`);
  return providers[name];
}

/** Whether `name` is a provider name. */
export function isRouterName(name: string): name is RouterName {
  return Object.hasOwn(providers, name);
}

/** Inputs of {@link selectRouter}. */
export interface RouterQuery {
  /** `--router`, when given. */
  router?: RouterName | undefined;
  /** What the app's chart objects already use. */
  chart: ChartRouting;
  /** The providers the cluster serves ({@link servedRouters}); undefined when the cluster is not read. */
  served?: readonly RouterName[] | undefined;
}

/** Which provider routes an app, and why. */
export interface RouterChoice {
  name: RouterName;
  /** `default`: offline, the cluster not read; `fallback`: the cluster serves none of the detectable providers. */
  by: 'flag' | 'chart' | 'cluster' | 'default' | 'fallback';
}

/**
 * The one router inference: `--router`, else the first provider (in registry order) the
 * chart already uses, else the first one the cluster serves, else `service` (no router)
 * when the cluster was read, or `gateway` offline.
 */
export function selectRouter(query: RouterQuery): RouterChoice {
  if (query.router !== undefined) return { name: query.router, by: 'flag' };
  const used = routerNames.find((name) => providers[name].usedBy(query.chart));
  if (used !== undefined) return { name: used, by: 'chart' };
  if (query.served === undefined) return { name: OFFLINE_DEFAULT, by: 'default' };
  const served = routerNames.find((name) => query.served!.includes(name));
  return served === undefined ? { name: FALLBACK, by: 'fallback' } : { name: served, by: 'cluster' };
}

/** The providers whose detection kinds are all in `servedKinds` (`apiVersion/kind` keys), in registry order. */
export function servedRouters(servedKinds: ReadonlySet<string>): RouterName[] {
  return routerNames.filter((name) => {
    const { detect } = providers[name];
    return detect.length > 0 && detect.every((k) => servedKinds.has(kindKey(k)));
  });
}

/** Every kind some provider writes or detects by, once each: what the engine lists. */
export function routeKinds(): KindRef[] {
  const seen = new Map<string, KindRef>();
  for (const name of routerNames) for (const k of [...providers[name].writes, ...providers[name].detect]) seen.set(kindKey(k), k);
  return [...seen.values()];
}

/** The key of a kind in {@link servedRouters}' set: `apiVersion/kind`. */
export function kindKey(k: KindRef): string {
  return `${k.apiVersion}/${k.kind}`;
}

/** Whether some provider claims `obj` as a route. */
export function isAnyRoute(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean {
  return routerNames.some((name) => providers[name].isRoute(obj));
}

/** The host names a route object serves, by the provider that claims it (empty if none). */
export function routeHosts(obj: KubeObject): string[] {
  for (const name of routerNames) if (providers[name].isRoute(obj)) return providers[name].routeHosts(obj);
  return [];
}

/** The Service names a route object sends traffic to, by the provider that claims it (empty if none). */
export function routeServices(obj: KubeObject): Set<string> {
  for (const name of routerNames) if (providers[name].isRoute(obj)) return providers[name].routeServices(obj);
  return new Set();
}

/** What {@link servedRouters} looks for, for messages: `HTTPRoute (gateway), …`. */
export function describeDetection(): string {
  return routerNames
    .filter((name) => providers[name].detect.length > 0)
    .map((name) => `${providers[name].detect.map((k) => k.kind).join(' + ')} (${name})`)
    .join(', ');
}
