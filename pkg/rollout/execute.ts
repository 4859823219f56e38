import type { Kube } from '../kube/index.ts';
import type { KubeObject } from '../render/index.ts';
import { notifyPromoted, notifyRollback } from './analysis.ts';
import type { AnalysisDeps } from './analysis.ts';
import type { Effect } from './effects.ts';
import { emitEvent } from './events.ts';
import { eventType } from './history.ts';
import type { StoredHistoryEntry } from './history.ts';
import type { RolloutState } from './state.ts';
import { writeState } from './store.ts';
import { applyTraffic, deleteVersion, retargetScalers, scale } from './traffic.ts';
import type { World } from './world.ts';

/**
 * What the executor works on: the cluster, the world as read, and the state as last
 * stored. Every effect puts what it wrote into the world (the objects the API server
 * answered with: Services, routes, Deployments, scalers; deletions taken out; traffic.ts),
 * so a later effect writes only what still differs and the engine decides again on the
 * world without reading it. An effect that writes the app's objects must keep that up.
 */
export interface Execution {
  kube: Kube;
  namespace: string;
  app: string;
  world: World;
  /** The state as last read or written; undefined until the first write of an app never driven. */
  state: RolloutState | undefined;
  /** Its resourceVersion, to write against (undefined: create). */
  rv: string | undefined;
  now(): number;
  /** A recorded entry, for the live view. */
  recorded(entry: StoredHistoryEntry): void;
  signal?: AbortSignal;
  /**
   * The plan and router of the last `apply-traffic`, while nothing else wrote Services or
   * routes: the same plan again (a decision made again after a measurement) is already live.
   */
  applied?: string;
  /** Called once a write stored the state. */
  stored?: () => void;
  /** Kubernetes Events on their way: they never hold up the writes after them. */
  events?: Promise<void>[];
}

/**
 * Carries out `effects` in order; a write that fails (e.g. a StateConflict) stops the rest.
 * The Event of a `record` is sent alongside the writes after it (an Event is a notice,
 * not state: the history in the state is the record) and awaited before this returns.
 */
export async function execute(x: Execution, effects: readonly Effect[]): Promise<void> {
  try {
    for (const [i, effect] of effects.entries()) {
      if (effect.kind === 'write-state' && supersededAt(effects, i)) continue;
      await apply(x, effect);
    }
  } finally {
    await flushEvents(x);
  }
}

/**
 * Whether the state write at `i` is followed by another before any other write: the later
 * one stores all of it (each is the whole state), so only that one is sent.
 */
function supersededAt(effects: readonly Effect[], i: number): boolean {
  for (const later of effects.slice(i + 1)) {
    if (later.kind === 'write-state') return true;
    if (later.kind !== 'record') return false;
  }
  return false;
}

async function flushEvents(x: Execution): Promise<void> {
  while (x.events !== undefined && x.events.length > 0) await Promise.all(x.events.splice(0));
}

async function apply(x: Execution, effect: Effect): Promise<void> {
  switch (effect.kind) {
    case 'write-state':
      if (x.state !== undefined && x.rv !== undefined && JSON.stringify(x.state) === JSON.stringify(effect.state)) return;
      await store(x, structuredClone(effect.state));
      return;
    case 'record':
      x.recorded(effect.entry);
      (x.events ??= []).push(emitEvent(x.kube, x.namespace, x.app, effect.entry.event, effect.entry.message, eventType(effect.entry), x.now()));
      return;
    case 'apply-traffic': {
      const key = JSON.stringify([effect.plan, effect.router]);
      if (x.applied === key) return;
      delete x.applied;
      await applyTraffic(x.kube, x.world, effect.plan, effect.router);
      x.applied = key;
      return;
    }
    case 'scale':
      await scale(x.kube, x.world, deploymentNamed(x.world, effect.deployment), effect.replicas);
      // The pods counted by the read are older than the Deployment this write returned
      // (whose generation its status has not observed yet): its word holds until the next read.
      delete x.world.readyPods;
      return;
    case 'retarget-scalers':
      await retargetScalers(x.kube, x.world, effect.deployment);
      return;
    case 'delete-version':
      delete x.applied;
      await deleteVersion(x.kube, x.world, effect.version);
      return;
    case 'notify-rollback':
      await notifyRollback(analysisDeps(x), stateOf(x), x.world, effect.gates, effect.reason);
      return;
    case 'notify-promoted':
      await notifyPromoted(analysisDeps(x), effect.before, x.world, effect.gates, effect.message);
      return;
  }
}

async function store(x: Execution, state: RolloutState): Promise<void> {
  x.rv = await writeState(x.kube, x.namespace, { state, resourceVersion: x.rv });
  x.state = state;
  x.stored?.();
}

/**
 * What an analysis stage needs of the engine: its `commit` changes the stored state, writes
 * it and records its entries, as a `write-state` and `record` effects would.
 */
export function analysisDeps(x: Execution): AnalysisDeps {
  const out: AnalysisDeps = {
    kube: x.kube,
    namespace: x.namespace,
    app: x.app,
    now: x.now,
    commit: async (change) => {
      const state = stateOf(x);
      const known = state.history.length;
      change(state);
      const added = state.history.slice(known);
      await store(x, state);
      for (const entry of added) await apply(x, { kind: 'record', entry });
      await flushEvents(x);
    },
  };
  if (x.signal !== undefined) out.signal = x.signal;
  return out;
}

/** The stored state (an analysis or a notification only ever follows a write of it). */
export function stateOf(x: Execution): RolloutState {
  if (x.state === undefined) throw new Error(`the rollout state of ${x.app} was never stored`);
  return x.state;
}

function deploymentNamed(world: World, name: string): KubeObject | undefined {
  for (const d of world.deployments.values()) if (d.metadata.name === name) return d;
  return world.original?.deployment.metadata.name === name ? world.original.deployment : undefined;
}
