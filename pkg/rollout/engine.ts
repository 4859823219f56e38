import type { Kube } from '../kube/index.ts';
import { analyse } from './analysis.ts';
import type { AnalysisOutcome } from './analysis.ts';
import { decide } from './decide.ts';
import type { Next, Policy } from './effects.ts';
import { analysisDeps, execute, stateOf } from './execute.ts';
import type { Execution } from './execute.ts';
import type { StoredHistoryEntry } from './history.ts';
import type { RolloutState } from './state.ts';
import { buildStatus } from './status.ts';
import { initialState, reconcile } from './reconcile.ts';
import type { ControlRequest } from './state.ts';
import { readState, StateConflict } from './store.ts';
import type { StoredState } from './store.ts';
import type { AppStatus, GateStatus } from './view.ts';
import { waitForAppChange } from './watch.ts';
import { readPods, readWorld } from './world.ts';
import type { World } from './world.ts';

/** What the engine reports while it works; the CLI formats each kind. */
export type EngineEvent = { kind: 'history'; entry: StoredHistoryEntry; /** Set when several apps are driven at once (a release). */ app?: string } | { kind: 'status'; view: AppStatus };

/** The engine's collaborators: the cluster, the clock, and where events go. */
export interface EngineDeps {
  kube: Kube;
  namespace: string;
  app: string;
  now(): number;
  emit(event: EngineEvent): void;
  signal?: AbortSignal;
}

/** How a drive behaves: the {@link Policy} it decides by, and how it waits. */
export interface DriveOptions extends Omit<Policy, 'waitScaleDown'> {
  /** Wait for readiness, pauses and scale-down delays; without it, stop where waiting would start. */
  wait: boolean;
  /** With `wait`, still stop at an indefinite pause (used by `promote`). */
  stopAtPause?: boolean;
  /** Give up (outcome `timeout`) after this long. */
  timeoutMs?: number;
  /**
   * With `wait`, also wait out the scale-down delay. Without it a drive returns once traffic
   * has moved; the pending scale-down stays in the state (`scaleDownAt`) for the next command.
   */
  waitScaleDown?: boolean;
}

/** How a drive ended. */
export type Outcome = 'healthy' | 'progressing' | 'paused' | 'degraded' | 'timeout' | 'inconclusive' | 'held';

/** The result of a drive. */
export interface DriveResult {
  outcome: Outcome;
  state: RolloutState;
  view: AppStatus;
}

/** The app as one pass reads it: the live objects (with the pods' restarts) and the stored state. */
export interface AppRead {
  world: World;
  stored: StoredState | undefined;
}

/** Reads the app for a pass: the live objects, the stored state and the pods' restarts, in parallel. */
export async function readApp(kube: Kube, namespace: string, app: string): Promise<AppRead> {
  const [world, stored, pods] = await Promise.all([readWorld(kube, namespace, app), readState(kube, namespace, app), readPods(kube, namespace, app)]);
  world.restarts = pods.restarts;
  world.readyPods = pods.ready;
  return { world, stored };
}

/**
 * Where a drive starts, when its caller has read the app already: a control command reads
 * it while it takes the lease, and its `request` goes into the first decision instead of
 * being stored on its own first. Until a pass stores the state, a pass that must read again
 * (a state conflict) asks for the request again.
 */
export interface DriveStart {
  read: AppRead;
  request?: ControlRequest;
}

/** One read of the app, and what executing its decisions left. */
interface Pass {
  x: Execution;
  next: Exclude<Next, { kind: 'measure' | 'fail' }>;
}

/**
 * Drives one app: each pass reads the state and the live objects, {@link decide}s the next
 * transition, {@link execute}s its effects and waits as the decision says. Every effect is
 * idempotent, so a drive killed between any two API calls converges when run again
 * (DESIGN.md invariant 5).
 */
export async function drive(deps: EngineDeps, options: DriveOptions, start?: DriveStart): Promise<DriveResult> {
  const deadline = options.timeoutMs === undefined ? undefined : deps.now() + options.timeoutMs;
  const policy = policyOf(options);
  let checks: GateStatus[] = [];
  let read = start?.read;
  const pending = { request: start?.request };
  for (;;) {
    let pass: Pass;
    try {
      const given = read;
      read = undefined;
      pass = await runPass(deps, policy, (c) => (checks = c), given ?? (await readApp(deps.kube, deps.namespace, deps.app)), pending);
    } catch (err) {
      // Another command stored a request between our read and our write: read again.
      if (err instanceof StateConflict) continue;
      throw err;
    }
    const { x, next } = pass;
    const state = stateOf(x);
    let view = buildStatus(state, x.world, checks, deps.now());
    if (next.kind === 'done') {
      // Show what is there now: the world as the executor left it, with every write in it.
      view = buildStatus(state, x.world, checks, deps.now());
      deps.emit({ kind: 'status', view });
      return { outcome: next.outcome, state, view };
    }
    deps.emit({ kind: 'status', view });
    if (next.kind === 'wait') {
      // An analysis that could not decide holds the rollout for a person: CI gets exit 3, never a promotion.
      if (state.phase === 'Paused' && state.pausedBy === 'analysis') return { outcome: 'inconclusive', state, view };
      if (!options.wait || (options.stopAtPause === true && state.phase === 'Paused')) {
        return { outcome: state.phase === 'Paused' ? 'paused' : 'progressing', state, view };
      }
      const now = deps.now();
      if (deadline !== undefined && now >= deadline) return { outcome: 'timeout', state, view };
      const until = Math.min(next.until ?? Infinity, deadline ?? Infinity);
      await waitForAppChange(deps.kube, deps.namespace, deps.app, { deployments: x.world.listVersion, state: x.rv }, until, deps.now, deps.signal);
      if (deps.signal?.aborted === true) return { outcome: 'progressing', state, view };
    }
  }
}

/**
 * Reads the app, then decides and executes until the decision is to read again, wait or
 * stop. A decision that needs a measurement gets it (the analysis stage runs, storing
 * its progress) and is made again on the same world with the outcome.
 */
async function runPass(deps: EngineDeps, policy: Policy, setChecks: (checks: GateStatus[]) => void, read: AppRead, pending: { request?: ControlRequest | undefined }): Promise<Pass> {
  const { world, stored } = read;
  if (world.deployments.size === 0 && world.original === undefined) {
    throw new Error(`no app "${deps.app}" in namespace ${deps.namespace}: no Deployment labelled switchyard.dev/app=${deps.app}`);
  }
  // A request not stored yet goes into this decision; once a write stores the state it is spent.
  const request = pending.request;
  // Brought up to date with the world first, as a stored request would be: a new version
  // the app has not seen yet starts its rollout, then the request applies to it.
  const now = deps.now();
  const base = request === undefined ? stored?.state : { ...reconcile(stored?.state ?? initialState(world, policy.settings, now), world, policy.settings, now), request };
  const x: Execution = { kube: deps.kube, namespace: deps.namespace, app: deps.app, world, state: base, rv: stored?.resourceVersion, now: deps.now, recorded: (entry) => deps.emit({ kind: 'history', entry }) };
  if (request !== undefined) x.stored = () => delete pending.request;
  if (deps.signal !== undefined) x.signal = deps.signal;
  const measured = new Map<string, AnalysisOutcome>();
  for (let decisions = 1; ; decisions++) {
    const decision = decide({ stored: x.state, world: x.world, now: deps.now(), policy, measured });
    if (decision.checks !== undefined) setChecks(decision.checks);
    await execute(x, decision.effects);
    const { next } = decision;
    if (next.kind === 'fail') throw next.error;
    // The executor keeps the world up to date with every write (the objects the API server
    // answered with, see execute.ts): decide again on it instead of reading the app again.
    // Only a wait reads it afresh, for what others changed meanwhile.
    if (next.kind === 'again' && decisions < MAX_DECISIONS_PER_READ) {
      measured.clear(); // as a fresh pass would: the next stage is measured afresh
      continue;
    }
    if (next.kind !== 'measure') return { x, next };
    measured.set(next.key, await analyse(analysisDeps(x), stateOf(x), x.world, next.gates, next.key, next.hook));
  }
}

/** Decisions made on one read of the world before it is read again (a bound, never reached by a sound decision). */
const MAX_DECISIONS_PER_READ = 16;

/** What deciding needs of the drive's options. */
function policyOf(options: DriveOptions): Policy {
  const policy: Policy = {
    settings: { ...options.settings, scaleDownDelayMs: options.scaleDownDelayMs },
    progressDeadlineMs: options.progressDeadlineMs,
    maxRestarts: options.maxRestarts,
    scaleDownDelayMs: options.scaleDownDelayMs,
    waitScaleDown: options.waitScaleDown === true,
    keep: options.keep,
  };
  if (options.gates !== undefined) policy.gates = options.gates;
  if (options.holdAtStep !== undefined) policy.holdAtStep = options.holdAtStep;
  return policy;
}
