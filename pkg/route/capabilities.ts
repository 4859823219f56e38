import { RenderError } from '../render/errors.ts';
import { POD_TEMPLATE_HASH_LABEL, VERSION_LABEL } from '../render/labels.ts';
import type { AppPlan } from '../render/plan.ts';
import type { KubeObject } from '../render/types.ts';
import type { RouteInput, RouteOutput, RouteProvider } from './types.ts';

/**
 * Refuses a plan that `router` cannot carry out, naming the app and the limit: more
 * weighted versions than it can split between, or a weight off its granularity.
 */
export function checkPlan(router: RouteProvider, plan: AppPlan): void {
  const { maxWeightedVersions, weightStep } = router.capabilities;
  const weighted = plan.tracks.filter((t) => t.weight > 0 || t.role === 'stable');
  if (weighted.length > maxWeightedVersions) {
    throw new RenderError('too-many-versions', `Deployment ${plan.app}: router ${router.name} splits traffic between at most ${maxWeightedVersions} versions, but ${weighted.map((t) => t.version).join(', ')} have weight`);
  }
  if (spansVersions(router) && plan.strategy === 'bluegreen') {
    throw new RenderError('bad-option', `Deployment ${plan.app}: router ${router.name} has the stable Service span every version with pods, so it cannot hold a blue-green preview apart; choose a router with --router`);
  }
  const off = plan.tracks.find((t) => t.role !== 'stable' && t.weight % weightStep !== 0);
  if (off !== undefined) {
    throw new RenderError('bad-option', `Deployment ${plan.app}: router ${router.name} sets weights in steps of ${weightStep}%, not ${off.weight}% (${off.version})`);
  }
}

/** {@link checkPlan}, then the provider's render: what the post-renderer and the engine call. */
export function routeTraffic(router: RouteProvider, input: RouteInput): RouteOutput {
  checkPlan(router, input.plan);
  return router.render(input);
}

/** Annotation on a stable Service that spans versions (split by replicas): the stable version. */
export const STABLE_VERSION_ANNOTATION = 'switchyard.dev/stable-version';
/** Annotation on a stable Service that spans versions: the router that rendered it. */
export const ROUTER_ANNOTATION = 'switchyard.dev/router';

/** Whether `router` splits traffic by replica counts, the stable Service spanning the versions. */
export function spansVersions(router: RouteProvider): boolean {
  return router.capabilities.split === 'replicas';
}

/**
 * Canary replicas that give it `weight` percent of the ready pods beside `stableReplicas`:
 * the nearest whole count (0 below half a pod), all of them at 100.
 */
export function replicasForShare(stableReplicas: number, weight: number): number {
  if (weight >= 100) return stableReplicas;
  if (weight <= 0) return 0;
  return Math.round((stableReplicas * weight) / (100 - weight));
}

/** A version's share of the traffic, in percent, when the ready pods split it. */
export function effectiveShare(ready: number, totalReady: number): number {
  return totalReady === 0 ? 0 : Math.round((ready * 100) / totalReady);
}

/**
 * The chart's stable Service as `router` needs it, from its pinned form: unchanged for a
 * router that splits traffic itself; for one that splits by replicas, selecting every
 * version of the app, with the stable version and the router in annotations.
 */
export function stableServiceFor(router: RouteProvider, pinned: KubeObject, plan: AppPlan): KubeObject {
  if (!spansVersions(router)) return pinned;
  const spec = pinned.spec as { selector?: Record<string, string> };
  const { [VERSION_LABEL]: _v, [POD_TEMPLATE_HASH_LABEL]: _h, ...selector } = spec.selector ?? {};
  spec.selector = selector;
  pinned.metadata.annotations = { ...pinned.metadata.annotations, ...stableAnnotations(router, plan.tracks[0]!.version) };
  return pinned;
}

/** The annotations a spanning stable Service carries ({@link stableServiceFor}); none for other routers. */
export function stableAnnotations(router: RouteProvider, stable: string): Record<string, string> {
  return spansVersions(router) ? { [STABLE_VERSION_ANNOTATION]: stable, [ROUTER_ANNOTATION]: router.name } : {};
}
