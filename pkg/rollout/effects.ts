import type { GateSet, Hook } from '../analysis/spec.ts';
import type { AppPlan } from '../render/index.ts';
import type { RouterName } from '../route/index.ts';
import type { StoredHistoryEntry } from './history.ts';
import type { PlanSettings } from './reconcile.ts';
import type { RolloutState } from './state.ts';
import type { GateStatus } from './view.ts';

/**
 * One write that {@link decide} asks for, carried out by the executor in order. Each is
 * idempotent and the executor skips what the world already has, so a run killed between
 * any two converges when run again (DESIGN.md invariant 5).
 */
export type Effect =
  /** Store the state (optimistic concurrency on the resourceVersion last read or written). */
  | { kind: 'write-state'; state: RolloutState }
  /** A history entry just stored: the live view hears of it and a Kubernetes Event records it. */
  | { kind: 'record'; entry: StoredHistoryEntry }
  /** Make the stable, per-version and preview Services and the routes implement `plan`. */
  | { kind: 'apply-traffic'; plan: AppPlan; router: RouterName }
  /** Set `spec.replicas` of the Deployment named `deployment`. */
  | { kind: 'scale'; deployment: string; replicas: number }
  /** Point the app's HPAs, VPAs and ScaledObjects at the Deployment named `deployment`. */
  | { kind: 'retarget-scalers'; deployment: string }
  /** Delete a retired version's Deployment, its per-version Services and its config copies. */
  | { kind: 'delete-version'; version: string }
  /** Call the rollback webhooks (once per rollout: the state remembers). */
  | { kind: 'notify-rollback'; gates: GateSet | undefined; reason: string }
  /** Call the post-promotion webhooks, with the rollout as it was before the promotion. */
  | { kind: 'notify-promoted'; before: RolloutState; gates: GateSet | undefined; message: string };

/** What a drive waits for before it reads the world again. */
export type WaitFor =
  | 'readiness' // pods of a version to become ready (at most until the progress deadline)
  | 'pause' // a timed pause step to end
  | 'person' // promote, resume, switch or abort: an indefinite pause or a paused analysis
  | 'analysis' // the next measurement of an analysis stage
  | 'scale-down'; // a retained version's scale-down time (only with waitScaleDown)

/** How a pass ends, as far as {@link decide} can tell. */
export type DecidedOutcome = 'healthy' | 'degraded' | 'held';

/** What comes after the effects of a decision. */
export type Next =
  /** The effects changed what is live: decide again (on the world as the executor keeps it). */
  | { kind: 'again' }
  /** An analysis stage must measure (a gate): run it, then decide again on the same world with its outcome. */
  | { kind: 'measure'; key: string; hook: Hook; gates: GateSet }
  /** Nothing to do until something changes, or until `until` (epoch ms). */
  | { kind: 'wait'; for: WaitFor; until?: number }
  /** The rollout needs nothing more of this drive. */
  | { kind: 'done'; outcome: DecidedOutcome }
  /** The decision cannot be finished (e.g. a malformed gates annotation): the effects before it stand, then the drive fails. */
  | { kind: 'fail'; error: unknown };

/** What the engine was asked to do, as far as deciding goes (the drive's options, engine.ts, are these and more). */
export interface Policy {
  settings: PlanSettings;
  /** How long one step may wait for the canary to be ready. Default 10 min. */
  progressDeadlineMs: number;
  /** Container restarts plus failed pods tolerated per version. */
  maxRestarts: number;
  /** How long a replaced stable version stays at full size after a promotion. */
  scaleDownDelayMs: number;
  /** Wait for that delay (else a drive is done once traffic has moved). */
  waitScaleDown: boolean;
  /** How many previous versions are kept (scaled down) for rollback. */
  keep: number;
  /** Analysis gates from `--gate`/`--gates` (else those recorded in the state, else the workload's annotation). */
  gates?: GateSet;
  /**
   * Stop (outcome `held`) once the rollout in progress has done this many steps: a
   * release-level run steps its apps in lock-step by raising it one step at a time.
   */
  holdAtStep?: number;
}

/** The result of {@link decide}. */
export interface Decision {
  /** The state once the effects are carried out (a rollback notification then also marks itself done in it). */
  state: RolloutState;
  effects: Effect[];
  next: Next;
  /** The health checks judged in this decision, for the status view (undefined when none were). */
  checks?: GateStatus[];
}
