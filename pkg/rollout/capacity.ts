import type { KubeObject } from '../render/index.ts';
import { providers, replicasForShare, spansVersions } from '../route/index.ts';
import type { RolloutState } from './state.ts';
import { readiness } from './world.ts';
import type { World } from './world.ts';

/** How many pods the canary gets for a weight, and what that is proportional to. */
export interface Capacity {
  /** Canary replicas for the weight. */
  replicas: number;
  /** The stable version's replicas they are proportional to. */
  stableReplicas: number;
  /** The HPA that scales the stable version, when there is one: its current replicas count, and the canary never gets more than its maximum. */
  autoscaler?: { name: string; maxReplicas: number };
}

/**
 * Canary capacity for `weight` percent of traffic: ⌈weight × stable replicas⌉ and at least
 * one (as Argo Rollouts does by default), all of them at 100; where the router splits by
 * replica counts, the count whose share of the pods is nearest the weight. When an HPA
 * scales the stable version, its current replicas count (the HPA moves them, not the chart),
 * and the canary never gets more than the HPA's `maxReplicas`.
 */
export function capacityFor(world: World, state: RolloutState, weight: number): Capacity {
  const stable = world.deployments.get(state.stable) ?? (world.original?.version === state.stable ? world.original.deployment : undefined);
  const hpa = stable === undefined ? undefined : autoscalerOf(world, stable);
  const spec = (stable?.spec as { replicas?: number } | undefined)?.replicas;
  const current = (stable?.status as { replicas?: number } | undefined)?.replicas;
  const counted = hpa !== undefined ? (current ?? spec) : spec;
  const canary = world.deployments.get(state.canary ?? '');
  const full = Math.max(1, counted ?? (canary === undefined ? 1 : readiness(canary).replicas));
  let replicas = spansVersions(providers[state.router]) ? replicasForShare(full, weight) : weight >= 100 ? full : Math.max(1, Math.ceil((full * weight) / 100));
  if (hpa !== undefined) replicas = Math.min(replicas, hpa.maxReplicas);
  const out: Capacity = { replicas, stableReplicas: full };
  if (hpa !== undefined) out.autoscaler = hpa;
  return out;
}

/** Canary replicas for a weight (see {@link capacityFor}). */
export function replicasFor(world: World, state: RolloutState, weight: number): number {
  return capacityFor(world, state, weight).replicas;
}

/** The HPA of the app that targets `deployment`, with its maximum. */
function autoscalerOf(world: World, deployment: KubeObject): { name: string; maxReplicas: number } | undefined {
  for (const scaler of world.scalers) {
    if (scaler.kind !== 'HorizontalPodAutoscaler') continue;
    const spec = scaler.spec as { scaleTargetRef?: { kind?: string; name?: string }; maxReplicas?: number } | undefined;
    if (spec?.scaleTargetRef?.name !== deployment.metadata.name || (spec.scaleTargetRef.kind ?? 'Deployment') !== 'Deployment') continue;
    if (typeof spec.maxReplicas !== 'number' || spec.maxReplicas < 1) continue;
    return { name: scaler.metadata.name, maxReplicas: spec.maxReplicas };
  }
  return undefined;
}
