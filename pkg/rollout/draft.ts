import type { GateSet } from '../analysis/spec.ts';
import type { AppPlan, KubeObject } from '../render/index.ts';
import type { AnalysisOutcome } from './analysis.ts';
import { gateSetFor } from './analysis.ts';
import type { Effect, Policy } from './effects.ts';
import { MAX_HISTORY } from './state.ts';
import type { RolloutState } from './state.ts';
import type { GateStatus } from './view.ts';
import type { World } from './world.ts';

/**
 * A decision being made: the state and world as the effects so far leave them (both
 * copies: the inputs of {@link decide} are never changed) and the effects in order.
 */
export interface Draft {
  state: RolloutState;
  world: World;
  now: number;
  policy: Policy;
  /** Outcomes of the analysis stages measured since the world was read, by stage key. */
  measured: ReadonlyMap<string, AnalysisOutcome>;
  effects: Effect[];
  checks?: GateStatus[];
  /** The decision's gates, resolved once (an annotation is parsed once, not at each use). */
  gates?: { set: GateSet | undefined };
}

/** Changes the state and asks for it to be stored, with an Event for each entry it records. */
export function commit(d: Draft, change: (state: RolloutState) => void): void {
  const known = d.state.history.length;
  change(d.state);
  const added = d.state.history.slice(known);
  d.state.history = d.state.history.slice(-MAX_HISTORY);
  d.effects.push({ kind: 'write-state', state: structuredClone(d.state) }, ...added.map((entry): Effect => ({ kind: 'record', entry })));
}

/** Asks for `deployment` to have `replicas`; false (and nothing asked) when it has them already or does not exist. */
export function scaleTo(d: Draft, deployment: KubeObject | undefined, replicas: number): boolean {
  if (deployment === undefined || (deployment.spec as { replicas?: number } | undefined)?.replicas === replicas) return false;
  d.effects.push({ kind: 'scale', deployment: deployment.metadata.name, replicas });
  // The rest of the decision plans from the world: let it see the new count.
  const scaled: KubeObject = { ...deployment, spec: { ...(deployment.spec as object), replicas } };
  const deployments = new Map([...d.world.deployments].map(([v, o]) => [v, o === deployment ? scaled : o]));
  d.world = { ...d.world, deployments };
  if (d.world.original?.deployment === deployment) d.world.original = { ...d.world.original, deployment: scaled };
  return true;
}

/** Asks for the routes and Services to implement `plan`. */
export function route(d: Draft, plan: AppPlan): void {
  d.effects.push({ kind: 'apply-traffic', plan, router: d.state.router });
}

/** The gates of this rollout (see {@link gateSetFor}). */
export function gatesOf(d: Draft): GateSet | undefined {
  d.gates ??= { set: gateSetFor(d.state, d.world, d.policy.gates) };
  return d.gates.set;
}
