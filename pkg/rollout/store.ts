import { isKubeError } from '../kube/index.ts';
import type { Kube } from '../kube/index.ts';
import { APP_LABEL, ROLE_LABEL } from '../render/index.ts';
import type { KubeObject } from '../render/index.ts';
import { MAX_HISTORY, stateName } from './state.ts';
import type { RolloutState } from './state.ts';
import { parseHistory } from './history.ts';
import type { HistoryEvent } from './history.ts';

/** A state read from the cluster, with the resourceVersion to write it back against. */
export interface StoredState {
  state: RolloutState;
  resourceVersion: string | undefined;
}

/** Raised when someone else wrote the state between our read and our write. */
export class StateConflict extends Error {
  constructor(app: string) {
    super(`the rollout state of ${app} changed while we were writing it`);
    this.name = 'StateConflict';
  }
}

const KEY = 'state';

/** The rollout state of `app`, or undefined when switchyard never drove it. */
export async function readState(kube: Kube, namespace: string, app: string): Promise<StoredState | undefined> {
  const cm = await kube.get('v1', 'ConfigMap', namespace, stateName(app));
  if (cm === undefined) return undefined;
  return { state: parseState(cm), resourceVersion: cm.metadata.resourceVersion as string | undefined };
}

/** Parses the state out of its ConfigMap. */
export function parseState(cm: KubeObject): RolloutState {
  const raw = (cm.data as Record<string, string> | undefined)?.[KEY];
  if (raw === undefined) throw new Error(`ConfigMap ${cm.metadata.name} has no "${KEY}" key`);
  const state = JSON.parse(raw) as RolloutState;
  state.history = parseHistory(state.history);
  return state;
}

/**
 * Writes the state with optimistic concurrency: creates the ConfigMap when
 * `resourceVersion` is undefined, else replaces it only if nobody changed it since
 * (throws {@link StateConflict} otherwise). Returns the new resourceVersion.
 */
export async function writeState(kube: Kube, namespace: string, stored: StoredState): Promise<string> {
  const { state } = stored;
  state.history = state.history.slice(-MAX_HISTORY);
  const cm: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: stateName(state.app), namespace, labels: { [APP_LABEL]: state.app, [ROLE_LABEL]: 'state' } },
    data: { [KEY]: JSON.stringify(state, null, 1) },
  };
  try {
    if (stored.resourceVersion === undefined) return (await kube.create(cm)).metadata.resourceVersion as string;
    cm.metadata.resourceVersion = stored.resourceVersion;
    return (await kube.update(cm)).metadata.resourceVersion as string;
  } catch (err) {
    if (isKubeError(err, 'conflict') || isKubeError(err, 'already-exists')) throw new StateConflict(state.app);
    throw err;
  }
}

/** Appends a history entry: the event, and its message for people and Kubernetes Events. */
export function record(state: RolloutState, now: number, entry: HistoryEvent & { message: string }): void {
  state.history.push({ at: new Date(now).toISOString(), ...entry });
  state.updatedAt = new Date(now).toISOString();
}
