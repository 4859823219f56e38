import type { RouteInput, RouteOutput, RouteProvider } from './types.ts';

/**
 * No router: the stable Service spans every version that runs pods, and a version's share
 * of the traffic is its share of the ready pods (Argo Rollouts' basic canary). switchyard
 * sizes the canary so that share comes as close to the asked weight as replica counts allow;
 * `status` shows the effective weight beside the asked one. A new canary starts with no pods
 * (it would otherwise take traffic at once), there are no header routes, and a blue-green
 * preview cannot be kept out of the stable Service. The default when the cluster serves
 * none of the other providers.
 */
export const service: RouteProvider = {
  name: 'service',
  capabilities: { maxWeightedVersions: 2, headerRouting: 'none', weightStep: 1, split: 'replicas' },
  writes: [],
  detect: [],
  isRoute: () => false,
  routeServices: () => new Set(),
  routeHosts: () => [],
  usedBy: () => false,
  render(_input: RouteInput): RouteOutput {
    return { rewritten: [], generated: [], warnings: [] };
  },
};
