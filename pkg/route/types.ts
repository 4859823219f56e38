import type { AppPlan } from '../render/plan.ts';
import type { KubeObject } from '../render/types.ts';

/** The names of the traffic providers. The registry's keys are exactly these. */
export type RouterName = 'gateway' | 'nginx';

/** What a provider can express; the engine reads these instead of branching on names. */
export interface RouterCapabilities {
  /** How many versions can receive weighted traffic at once, stable included. */
  maxWeightedVersions: number;
  /** Whether every live version gets a header route, or only the canary. */
  headerRouting: 'every-version' | 'canary-only';
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
  /** Objects the provider generates. */
  generated: KubeObject[];
  /** Things the user should know, one line each. */
  warnings: string[];
}

/**
 * A traffic provider. `render` is pure and idempotent over its own output: given a route
 * it already rewrote and a new plan, it produces exactly what it would from the chart's
 * original route. The post-renderer and the rollout engine both call it, so Helm and
 * switchyard always write the same objects.
 */
export interface RouteProvider {
  readonly name: RouterName;
  readonly capabilities: RouterCapabilities;
  /** Whether a chart object is a route this provider rewrites. */
  isRoute(obj: Pick<KubeObject, 'apiVersion' | 'kind'>): boolean;
  render(input: RouteInput): RouteOutput;
}
