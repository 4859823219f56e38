import type { AppPlan } from '../render/plan.ts';
import type { KubeObject } from '../render/types.ts';

export type { RouterName } from './registry.ts';

/** A kind of object, as the API serves it. */
export interface KindRef {
  apiVersion: string;
  kind: string;
}

/**
 * What a provider can express. The post-renderer and the engine read these (through
 * `checkPlan`) to refuse a plan the provider cannot carry out, instead of branching on names.
 */
export interface RouterCapabilities {
  /** How many versions can receive weighted traffic at once, stable included. */
  maxWeightedVersions: number;
  /** Whether every live version gets a header route, only the version being rolled out, or none. */
  headerRouting: 'every-version' | 'canary-only' | 'none';
  /** The smallest step between two weights, in percent: a weight must be a multiple of it. */
  weightStep: number;
  /**
   * What splits the traffic: a router object (the stable Service selects only the stable
   * version), or replica counts (the stable Service spans every version with pods, so a
   * version's share is its share of the ready pods, and a blue-green preview is impossible).
   */
  split: 'router' | 'replicas';
}

/** A Gateway a generated HTTPRoute attaches to. */
export interface ParentGateway {
  name: string;
  namespace?: string;
  sectionName?: string;
}

/** Everything a provider needs to route one app. */
export interface RouteInput {
  plan: AppPlan;
  /** The app's Services from the chart (those selecting its pods), as the chart wrote them. */
  services: KubeObject[];
  /** Chart objects this provider rewrites that send traffic to one of `services`. */
  routes: KubeObject[];
  /** Chart Ingresses that send traffic to one of `services` (hosts and paths to copy). */
  ingresses: KubeObject[];
  /** Where a generated route attaches, when the chart has none of its own. */
  gateway?: ParentGateway;
}

/** What a provider produces for one app. */
export interface RouteOutput {
  /** `input.routes`, rewritten, in the same order. */
  rewritten: KubeObject[];
  /**
   * Objects the provider generates. Those labelled role `route` stand in for a chart route
   * (only the post-renderer creates them; the engine then rewrites them like chart routes);
   * those labelled `canary-route` are switchyard's own and follow every traffic change.
   */
  generated: KubeObject[];
  /** Things the user should know, one line each. */
  warnings: string[];
}

/** The chart objects of one app that tell which provider it already uses. */
export interface ChartRouting {
  /** Route objects (of any provider's kind) that send traffic to the app's Services. */
  routes: KubeObject[];
  /** Ingresses that send traffic to the app's Services. */
  ingresses: KubeObject[];
}

/**
 * A traffic provider: everything specific to one router lives in its file. `render` is pure
 * and idempotent over its own output: given a route it already rewrote and a new plan, it
 * produces exactly what it would from the chart's original route. The post-renderer and the
 * rollout engine both call it, so Helm and switchyard always write the same objects.
 */
export interface RouteProvider {
  /** Its key in the registry. */
  readonly name: string;
  readonly capabilities: RouterCapabilities;
  /**
   * Kinds it writes: rewritten chart routes and generated objects, all labelled with the app.
   * The engine lists them to read the live weights and deletes them with the app.
   */
  readonly writes: readonly KindRef[];
  /** Kinds whose presence in the cluster shows the provider is installed; empty: never detected. */
  readonly detect: readonly KindRef[];
  /** Whether a chart object is a route this provider claims and rewrites. */
  isRoute(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean;
  /** The Service names a route it claims sends traffic to. */
  routeServices(route: KubeObject): Set<string>;
  /** The host names a route it claims serves, for people (`bluegreen preview`); empty when it has none. */
  routeHosts(route: KubeObject): string[];
  /** Whether the chart already routes the app with this provider. */
  usedBy(chart: ChartRouting): boolean;
  render(input: RouteInput): RouteOutput;
}
