import { RenderError } from '../render/errors.ts';
import type { AppPlan } from '../render/plan.ts';
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
