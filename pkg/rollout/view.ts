import type { RouterName } from '../route/index.ts';
import type { Strategy } from '../render/index.ts';
import type { Measurement } from '../analysis/progress.ts';
import type { StoredHistoryEntry } from './history.ts';
import type { Phase } from './state.ts';

/** What a live version is doing, as shown to people and scripts. */
export type VersionRole = 'stable' | 'canary' | 'preview' | 'retained';

/** One live version of an app. */
export interface VersionStatus {
  version: string;
  role: VersionRole;
  deployment: string;
  /** Desired replicas. */
  replicas: number;
  readyReplicas: number;
  /** Traffic weight in percent, as the rollout state asks. */
  weight: number;
  /** Where replica counts split the traffic (router `service`): its share of the ready pods, in percent. */
  effectiveWeight?: number;
  /**
   * The traffic weight the live routes carry, in percent (their `switchyard.dev/weights`;
   * with router `service`, {@link effectiveWeight}); absent when no route records weights.
   * It differs from `weight` while a change is under way, or when a `helm upgrade`
   * replaced a canary that held traffic.
   */
  liveWeight?: number;
  /** A version that is no longer the canary (a newer one replaced it) but still receives traffic; the next `run` moves its share back to stable. */
  superseded?: boolean;
  /** Sum of container restarts of its pods, when known. */
  restarts?: number;
  /** Where the version's name came from (`flag`, `image-tag`, `label`, `hash`), when recorded. */
  source?: string;
}

/** The result of one gate check. */
export interface GateStatus {
  name: string;
  ok: boolean;
  message: string;
  /** `health` (readiness, restarts, deadline) or the analysis gate's type. */
  kind?: 'health' | 'metric' | 'compare' | 'webhook' | 'job';
  /** Analysis gates: the stage measured (`step-2`, `pre-promotion`) and where the gate is. */
  stage?: string;
  phase?: 'running' | 'pass' | 'fail' | 'inconclusive';
  /** Analysis gates: the last measurements, newest last. */
  measurements?: Measurement[];
}

/**
 * Everything `status` shows about one app; also the stable `-o json|yaml` schema
 * (documented in docs/output.md). Fields are only ever added, never renamed.
 */
export interface AppStatus {
  app: string;
  namespace: string;
  /** The Helm release its Deployments belong to, when they do. */
  release?: string;
  phase: Phase;
  strategy: Strategy;
  router: RouterName;
  stable: string;
  canary?: string;
  /** The canary's (or preview's) traffic weight in percent. */
  weight: number;
  /** 1-based index of the current step and the number of steps; 0/0 when Healthy. */
  step: { index: number; total: number; description?: string };
  message?: string;
  versions: VersionStatus[];
  gates: GateStatus[];
  /** When the current rollout started (ISO), if one is in progress. */
  startedAt?: string;
  updatedAt?: string;
  /**
   * Previous versions still at full size whose scale-down is due at `at` (ISO); the next
   * command of the app carries it out (or `--wait-scale-down` waits for it).
   */
  scaleDowns?: { version: string; at: string }[];
  /** The canary's pods for the weight of the current step (canary strategy, while a rollout runs). */
  capacity?: CapacityStatus;
}

/**
 * Capacity follows traffic: the canary is scaled to ⌈weight × stable replicas⌉ (at least
 * one) before its weight moves; with an HPA on the stable version, to its current replicas
 * and never above the HPA's maximum.
 */
export interface CapacityStatus {
  version: string;
  /** The canary's replicas now. */
  replicas: number;
  /** Its replicas for `weight`; differs from `replicas` until the engine has scaled it. */
  targetReplicas: number;
  /** The stable version's replicas that is proportional to. */
  stableReplicas: number;
  /** The weight it is sized for: the current step's (100 at the promotion). */
  weight: number;
  /** The HPA that scales the stable version. */
  autoscaler?: { name: string; maxReplicas: number };
}

/** `history` output: the transitions of one app, oldest first. */
export interface HistoryView {
  app: string;
  namespace: string;
  /** Entries of kinds this version does not know are kept as stored. */
  entries: StoredHistoryEntry[];
}
