import type { Kube } from '../kube/index.ts';
import { stableTrack } from '../render/index.ts';
import { effectiveShare, providers, spansVersions } from '../route/index.ts';
import { replicasFor } from './capacity.ts';
import { emitEvent } from './events.ts';
import { availability, progressDeadline, restarts, runGates } from './gates.ts';
import type { Gate } from './gates.ts';
import { finishPromotion, initialState, reconcile } from './reconcile.ts';
import type { PlanSettings } from './reconcile.ts';
import { buildStatus } from './status.ts';
import type { RolloutState } from './state.ts';
import { eventType } from './history.ts';
import type { StoredHistoryEntry } from './history.ts';
import { readState, record, StateConflict, writeState } from './store.ts';
import { applyTraffic, deleteVersion, planFromState, retargetScalers, scale } from './traffic.ts';
import type { AppStatus, GateStatus } from './view.ts';
import { readiness, readRestarts, readWorld } from './world.ts';
import type { World } from './world.ts';
import { applyRequest } from './requests.ts';
import { analyse, gateSetFor, notifyPromoted, notifyRollback } from './analysis.ts';
import type { AnalysisDeps } from './analysis.ts';
import type { GateSet, Hook } from '../analysis/spec.ts';
import { waitForAppChange } from './watch.ts';

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

/** How a drive behaves. */
export interface DriveOptions {
  /** Wait for readiness, pauses and scale-down delays; without it, stop where waiting would start. */
  wait: boolean;
  /** With `wait`, still stop at an indefinite pause (used by `promote`). */
  stopAtPause?: boolean;
  /** Give up (outcome `timeout`) after this long. */
  timeoutMs?: number;
  /** How long one step may wait for the canary to be ready. Default 10 min. */
  progressDeadlineMs: number;
  /** Container restarts plus failed pods tolerated per version. */
  maxRestarts: number;
  /** How long a replaced stable version stays at full size after a promotion. */
  scaleDownDelayMs: number;
  /**
   * With `wait`, also wait out that delay. Without it a drive returns once traffic has moved;
   * the pending scale-down stays in the state (`scaleDownAt`) for the next command of the app.
   */
  waitScaleDown?: boolean;
  /** How many previous versions are kept (scaled down) for rollback. */
  keep: number;
  settings: PlanSettings;
  /** Analysis gates from `--gate`/`--gates` (else those recorded in the state, else the workload's annotation). */
  gates?: GateSet;
  /**
   * Stop (outcome `held`) once the rollout in progress has done this many steps: a
   * release-level run steps its apps in lock-step by raising it one step at a time.
   */
  holdAtStep?: number;
}

/** How a drive ended. */
export type Outcome = 'healthy' | 'progressing' | 'paused' | 'degraded' | 'timeout' | 'inconclusive' | 'held';

/** The result of a drive. */
export interface DriveResult {
  outcome: Outcome;
  state: RolloutState;
  view: AppStatus;
}

interface Pass {
  state: RolloutState;
  world: World;
  rv: string | undefined;
  /** The pass's gates, resolved once (an annotation is parsed once per pass, not at each use). */
  gates?: { set: GateSet | undefined };
}

type StepResult = { next: 'continue' } | { next: 'wait'; until?: number } | { next: 'stop'; outcome: Outcome };

/**
 * Drives one app: each pass reads the state and the live objects, decides the next
 * transition, applies it, records it and repeats. Every transition is idempotent, so a
 * drive killed between any two API calls converges when run again (DESIGN.md invariant 5).
 */
export async function drive(deps: EngineDeps, options: DriveOptions): Promise<DriveResult> {
  const deadline = options.timeoutMs === undefined ? undefined : deps.now() + options.timeoutMs;
  const settings: PlanSettings = { ...options.settings, scaleDownDelayMs: options.scaleDownDelayMs };
  let gates: GateStatus[] = [];
  for (;;) {
    let pass: Pass;
    let step: StepResult;
    try {
      pass = await load(deps, settings);
      step = await takeStep(deps, options, pass, (g) => (gates = g));
    } catch (err) {
      // Another command stored a request between our read and our write: read again.
      if (err instanceof StateConflict) continue;
      throw err;
    }
    let view = buildStatus(pass.state, pass.world, gates, deps.now());
    if (step.next === 'stop') {
      // The step wrote to the cluster: show what is there now, not what was read before.
      const after = await readWorld(deps.kube, deps.namespace, deps.app);
      view = buildStatus(pass.state, after, gates, deps.now());
      deps.emit({ kind: 'status', view });
      return { outcome: step.outcome, state: pass.state, view };
    }
    deps.emit({ kind: 'status', view });
    if (step.next === 'wait') {
      // An analysis that could not decide holds the rollout for a person: CI gets exit 3, never a promotion.
      if (pass.state.phase === 'Paused' && pass.state.pausedBy === 'analysis') return { outcome: 'inconclusive', state: pass.state, view };
      if (!options.wait || (options.stopAtPause === true && pass.state.phase === 'Paused')) {
        return { outcome: pass.state.phase === 'Paused' ? 'paused' : 'progressing', state: pass.state, view };
      }
      const now = deps.now();
      if (deadline !== undefined && now >= deadline) return { outcome: 'timeout', state: pass.state, view };
      const until = Math.min(step.until ?? Infinity, deadline ?? Infinity);
      await waitForAppChange(deps.kube, deps.namespace, deps.app, { deployments: pass.world.listVersion, state: pass.rv }, until, deps.now, deps.signal);
      if (deps.signal?.aborted === true) return { outcome: 'progressing', state: pass.state, view };
    }
  }
}

/** Reads and reconciles; saves the state when reconciling changed it. */
async function load(deps: EngineDeps, settings: PlanSettings): Promise<Pass> {
  const now = deps.now();
  const [world, stored, restarts] = await Promise.all([readWorld(deps.kube, deps.namespace, deps.app), readState(deps.kube, deps.namespace, deps.app), readRestarts(deps.kube, deps.namespace, deps.app)]);
  if (world.deployments.size === 0 && world.original === undefined) {
    throw new Error(`no app "${deps.app}" in namespace ${deps.namespace}: no Deployment labelled switchyard.dev/app=${deps.app}`);
  }
  world.restarts = restarts;
  const base = stored?.state ?? initialState(world, settings, now);
  const state = applyRequest(reconcile(base, world, settings, now), now);
  const pass: Pass = { state, world, rv: stored?.resourceVersion };
  if (stored === undefined || JSON.stringify(stored.state) !== JSON.stringify(state)) await save(deps, pass, stored?.state.history.length ?? 0);
  return pass;
}

async function save(deps: EngineDeps, pass: Pass, knownHistory: number): Promise<void> {
  pass.rv = await writeState(deps.kube, deps.namespace, { state: pass.state, resourceVersion: pass.rv });
  for (const entry of pass.state.history.slice(knownHistory)) {
    deps.emit({ kind: 'history', entry });
    await emitEvent(deps.kube, deps.namespace, deps.app, entry.event, entry.message, eventType(entry), deps.now());
  }
}

async function commit(deps: EngineDeps, pass: Pass, change: (state: RolloutState) => void): Promise<void> {
  const known = pass.state.history.length;
  change(pass.state);
  await save(deps, pass, known);
}

async function takeStep(deps: EngineDeps, options: DriveOptions, pass: Pass, setGates: (g: GateStatus[]) => void): Promise<StepResult> {
  const { state, world } = pass;
  const now = deps.now();
  const restoring = await restoreTraffic(deps, pass);
  if (restoring !== undefined) return restoring;
  const returned = await returnSupersededTraffic(deps, pass);
  if (returned !== undefined) return returned;
  switch (state.phase) {
    case 'Healthy':
      return settle(deps, options, pass);
    case 'Degraded': {
      await applyTraffic(deps.kube, world, planFromState(state, world), state.router);
      await scale(deps.kube, world, world.deployments.get(state.canary ?? ''), 0);
      await notifyRollback(analysisDeps(deps, pass), state, world, gatesOf(options, pass), state.message ?? 'rolled back');
      return { next: 'stop', outcome: 'degraded' };
    }
    case 'Paused':
      await applyTraffic(deps.kube, world, planFromState(state, world), state.router);
      return { next: 'wait' };
    case 'Progressing':
      break;
  }
  const canary = state.canary!;
  const step = state.steps[state.step];
  if (options.holdAtStep !== undefined && state.step >= options.holdAtStep) return { next: 'stop', outcome: 'held' };
  if (state.undo !== true && state.analysis?.passed.includes('pre-rollout') !== true && gatesOf(options, pass)?.gates.some((g) => g.at.includes('pre-rollout')) === true) {
    const verdict = await ready(deps, options, pass, canary, replicasFor(world, state, state.strategy === 'bluegreen' ? 100 : 0), setGates);
    if (verdict !== 'pass') return verdict;
    const pre = await analysed(deps, options, pass, 'pre-rollout', 'pre-rollout');
    if (pre !== undefined) return pre;
  }
  if (step === undefined) return promote(deps, options, pass, setGates);
  if (step.kind === 'pause') {
    if (step.durationMs === undefined) {
      await commit(deps, pass, (s) => {
        s.phase = 'Paused';
        s.message = s.strategy === 'bluegreen' ? `${canary} is ready as the preview: run "kubectl bluegreen switch ${s.app}" to make it active` : `paused at step ${s.step + 1}/${s.steps.length}: run "promote" or "resume" to continue`;
        record(s, now, { event: 'Paused', message: s.message, version: canary, weight: s.weight, ...(s.strategy === 'bluegreen' ? { cause: 'preview' } : { cause: 'step', step: s.step + 1, steps: s.steps.length }) });
      });
      return { next: 'wait' };
    }
    if (state.pauseUntil === undefined) {
      await commit(deps, pass, (s) => {
        s.pauseUntil = new Date(now + step.durationMs!).toISOString();
        record(s, now, { event: 'Pausing', message: `pausing ${Math.round(step.durationMs! / 1000)}s at ${s.weight}%`, version: canary, weight: s.weight, durationMs: step.durationMs! });
      });
    }
    const until = Date.parse(pass.state.pauseUntil!);
    if (now < until) return { next: 'wait', until };
    await commit(deps, pass, (s) => {
      s.step++;
      delete s.pauseUntil;
    });
    return { next: 'continue' };
  }
  const weight = state.strategy === 'bluegreen' ? 0 : step.weight;
  const desired = replicasFor(world, state, state.strategy === 'bluegreen' ? 100 : weight);
  const verdict = await ready(deps, options, pass, canary, desired, setGates);
  if (verdict !== 'pass') return verdict;
  if (state.weight !== weight) {
    await commit(deps, pass, (s) => {
      s.weight = weight;
      record(s, now, { event: 'WeightSet', message: `${canary} receives ${weight}% of traffic (step ${s.step + 1}/${s.steps.length})`, version: canary, weight, step: s.step + 1, steps: s.steps.length });
    });
  }
  await applyTraffic(deps.kube, world, planFromState(pass.state, world), state.router);
  // With traffic on the canary, the step's gates measure it before the next step.
  if (weight > 0) {
    const measured = await analysed(deps, options, pass, `step-${state.step + 1}`, 'step');
    if (measured !== undefined) return measured;
  }
  await commit(deps, pass, (s) => {
    s.step++;
    delete s.stepStartedAt;
  });
  return { next: 'continue' };
}

/** The gates of this drive (see {@link gateSetFor}). */
function gatesOf(options: DriveOptions, pass: Pass): GateSet | undefined {
  pass.gates ??= { set: gateSetFor(pass.state, pass.world, options.gates) };
  return pass.gates.set;
}

function analysisDeps(deps: EngineDeps, pass: Pass): AnalysisDeps {
  const out: AnalysisDeps = { kube: deps.kube, namespace: deps.namespace, app: deps.app, now: deps.now, commit: (change) => commit(deps, pass, change) };
  if (deps.signal !== undefined) out.signal = deps.signal;
  return out;
}

/**
 * Runs the analysis stage `key`: undefined once it passed (go on), a wait while it
 * measures, a rollback when it fails, a pause (for a person) when it is inconclusive.
 */
async function analysed(deps: EngineDeps, options: DriveOptions, pass: Pass, key: string, hook: Hook): Promise<StepResult | undefined> {
  const outcome = await analyse(analysisDeps(deps, pass), pass.state, pass.world, gatesOf(options, pass), key, hook);
  switch (outcome.kind) {
    case 'done':
      return undefined;
    case 'wait':
      return { next: 'wait', until: outcome.until };
    case 'fail':
      return abort(deps, pass, outcome.reason, gatesOf(options, pass));
    case 'inconclusive': {
      const plugin = pass.state.strategy === 'bluegreen' ? 'bluegreen' : 'canary';
      await commit(deps, pass, (s) => {
        s.phase = 'Paused';
        s.pausedBy = 'analysis';
        s.message = `${outcome.reason}; "kubectl ${plugin} resume ${s.app}" measures again, "promote" skips the stage, "abort" rolls back`;
        record(s, deps.now(), { event: 'Paused', message: s.message, version: s.canary, weight: s.weight, cause: 'analysis', reason: outcome.reason });
      });
      return { next: 'wait' };
    }
  }
}

/**
 * Scales `version` to `desired` and checks the gates. Resolves `pass` when ready, a wait
 * while pending, or aborts the rollout when a gate fails.
 */
async function ready(deps: EngineDeps, options: DriveOptions, pass: Pass, version: string, desired: number, setGates: (g: GateStatus[]) => void): Promise<'pass' | StepResult> {
  const { world } = pass;
  const now = deps.now();
  const deployment = world.deployments.get(version);
  if (await scale(deps.kube, world, deployment, desired)) {
    await commit(deps, pass, (s) => record(s, now, { event: 'Scaled', message: `${version} scaled to ${desired} replicas`, version, replicas: desired }));
    return { next: 'continue' };
  }
  if (pass.state.stepStartedAt === undefined) await commit(deps, pass, (s) => (s.stepStartedAt = new Date(now).toISOString()));
  const started = Date.parse(pass.state.stepStartedAt!);
  const gates: Gate[] = [availability, restarts(options.maxRestarts)];
  const { verdict, results } = runGates(gates, { world, version, desired, stepStartedAt: started, now });
  let final = verdict;
  let shown = results;
  if (verdict.result === 'pending') {
    const deadline = progressDeadline(options.progressDeadlineMs).check({ world, version, desired, stepStartedAt: started, now });
    shown = [...results, { name: 'progress-deadline', ok: deadline.result !== 'fail', message: deadline.message }];
    if (deadline.result === 'fail') final = { result: 'fail', message: `progress-deadline: ${version} ${deadline.message} (${verdict.message})` };
  }
  setGates(shown);
  if (final.result === 'fail') return abort(deps, pass, final.message);
  if (final.result === 'pending') return { next: 'wait', until: started + options.progressDeadlineMs + 1 };
  return 'pass';
}

async function abort(deps: EngineDeps, pass: Pass, reason: string, gates?: GateSet): Promise<StepResult> {
  const now = deps.now();
  const canary = pass.state.canary;
  if (pass.state.undo === true && canary !== undefined) {
    // A refused rollback: traffic never left the stable version; the target stays a good,
    // retained version, so the same command can be run again once it can become ready.
    await commit(deps, pass, (s) => {
      s.retained = [{ version: canary, scaleDownAt: new Date(now).toISOString() }, ...s.retained.filter((r) => r.version !== canary)];
      delete s.canary;
      delete s.undo;
      s.weight = 0;
      s.phase = 'Healthy';
      s.message = reason;
      record(s, now, { event: 'UndoRefused', message: `stayed on ${s.stable}: ${canary} is not ready (${reason})`, version: canary, weight: 0, stable: s.stable, reason });
    });
    await applyTraffic(deps.kube, pass.world, planFromState(pass.state, pass.world), pass.state.router);
    await scale(deps.kube, pass.world, pass.world.deployments.get(canary), 0);
    return { next: 'stop', outcome: 'degraded' };
  }
  await commit(deps, pass, (s) => {
    s.phase = 'Degraded';
    s.message = reason;
    s.weight = 0;
    record(s, now, { event: 'Aborted', message: `rolled back to ${s.stable}: ${reason}`, version: canary, weight: 0, stable: s.stable, reason });
  });
  await applyTraffic(deps.kube, pass.world, planFromState(pass.state, pass.world), pass.state.router);
  await scale(deps.kube, pass.world, pass.world.deployments.get(canary ?? ''), 0);
  await notifyRollback(analysisDeps(deps, pass), pass.state, pass.world, gates ?? pass.state.gates, reason);
  return { next: 'stop', outcome: 'degraded' };
}

/** Full size, ready, then flip the stable Services and routes to the canary. */
async function promote(deps: EngineDeps, options: DriveOptions, pass: Pass, setGates: (g: GateStatus[]) => void): Promise<StepResult> {
  const { state, world } = pass;
  const canary = state.canary!;
  const verdict = await ready(deps, options, pass, canary, replicasFor(world, state, 100), setGates);
  if (verdict !== 'pass') return verdict;
  const checked = await analysed(deps, options, pass, 'pre-promotion', 'pre-promotion');
  if (checked !== undefined) return checked;
  const gates = gatesOf(options, pass);
  const before = structuredClone(pass.state);
  const promoted = structuredClone(pass.state);
  finishPromotion(promoted, deps.now(), options.scaleDownDelayMs);
  promoted.stableReplicas = replicasFor(world, state, 100);
  const plan = planFromState(promoted, world);
  await applyTraffic(deps.kube, world, plan, state.router);
  await retargetScalers(deps.kube, world, stableTrack(plan).deployment);
  await commit(deps, pass, (s) => replaceState(s, promoted));
  await notifyPromoted(analysisDeps(deps, pass), before, world, gates, `${canary} is stable`);
  return { next: 'continue' };
}

/**
 * Traffic was moved outside switchyard (e.g. `helm rollback` or `--atomic` re-applied an
 * old manifest, which can leave the stable Service selecting a version with no pods):
 * put it back on the recorded stable version first (scaled back to its size and ready),
 * and say so. `kubectl canary undo` is the way to roll back.
 */
async function restoreTraffic(deps: EngineDeps, pass: Pass): Promise<StepResult | undefined> {
  const { state, world } = pass;
  if (world.liveStable === undefined || world.liveStable === state.stable || !world.deployments.has(state.stable)) return undefined;
  const now = deps.now();
  const stable = world.deployments.get(state.stable)!;
  const wanted = Math.max(state.stableReplicas ?? 1, (stable.spec as { replicas?: number }).replicas ?? 0, 1);
  if (await scale(deps.kube, world, stable, wanted)) return { next: 'continue' };
  if (readiness(stable).ready === 0) return { next: 'wait' }; // woken by the Deployment watch
  await commit(deps, pass, (s) => record(s, now, { event: 'TrafficRestored', message: `the stable Service selected ${world.liveStable} (changed outside switchyard, e.g. by helm rollback); traffic is back on ${s.stable}. Use "undo" to roll back`, version: s.stable, selected: world.liveStable! }));
  await applyTraffic(deps.kube, world, planFromState(state, world), state.router);
  return { next: 'continue' };
}

/**
 * A canary replaced mid-rollout (a `helm upgrade` while it held traffic: the post-renderer
 * re-emits the live weights, so its share stays) is retained but still served. Before the
 * new version is started, its share goes back to the stable version; where replica counts
 * split the traffic, its header route goes and it is scaled down.
 */
async function returnSupersededTraffic(deps: EngineDeps, pass: Pass): Promise<StepResult | undefined> {
  const { state, world } = pass;
  const active = new Set([state.stable, state.canary]);
  const now = deps.now();
  if (spansVersions(providers[state.router])) {
    const superseded = state.retained.filter((r) => r.aborted === true && r.hot !== true && !active.has(r.version) && ((world.deployments.get(r.version)?.spec as { replicas?: number } | undefined)?.replicas ?? 0) > 0);
    if (superseded.length === 0) return undefined;
    const shares = new Map(superseded.map((r) => [r.version, effectiveShareOf(world, r.version)]));
    await applyTraffic(deps.kube, world, planFromState(state, world, new Set(shares.keys())), state.router);
    for (const version of shares.keys()) await scale(deps.kube, world, world.deployments.get(version), 0);
    await commit(deps, pass, (s) => {
      for (const [version, weight] of shares) record(s, now, { event: 'TrafficReturned', message: `${version} was replaced while it held ${weight}% of the pods' traffic: scaled down, ${s.stable} serves its share`, version, weight, stable: s.stable });
    });
    return { next: 'continue' };
  }
  const held = Object.entries(world.liveWeights).filter(([version, weight]) => weight > 0 && !active.has(version) && world.deployments.has(version));
  if (held.length === 0) return undefined;
  await applyTraffic(deps.kube, world, planFromState(state, world), state.router);
  await commit(deps, pass, (s) => {
    for (const [version, weight] of held) record(s, now, { event: 'TrafficReturned', message: `${version} was replaced while it held ${weight}% of traffic; that share is back on ${s.stable}`, version, weight, stable: s.stable });
  });
  return { next: 'continue' };
}

/** A version's share of the ready pods of the app, in percent. */
function effectiveShareOf(world: World, version: string): number {
  const ready = [...world.deployments.values()].map((d) => readiness(d).ready);
  const total = ready.reduce((a, b) => a + b, 0);
  const own = world.deployments.get(version);
  return own === undefined ? 0 : effectiveShare(readiness(own).ready, total);
}

/** Replaces every field of `target` with those of `source` (fields `source` lacks are removed). */
function replaceState(target: RolloutState, source: RolloutState): void {
  for (const key of Object.keys(target)) if (!(key in source)) delete (target as unknown as Record<string, unknown>)[key];
  Object.assign(target, source);
}

/** Healthy: keep traffic where the state says, scale down retained versions when due, retire extras. */
async function settle(deps: EngineDeps, options: DriveOptions, pass: Pass): Promise<StepResult> {
  const { state, world } = pass;
  const now = deps.now();
  // Header routes of versions due to be scaled down go first: no request for a version without pods.
  const due = new Set(state.retained.filter((r) => r.hot !== true && (r.scaleDownAt === undefined || Date.parse(r.scaleDownAt) <= now)).map((r) => r.version));
  await applyTraffic(deps.kube, world, planFromState(state, world, due), state.router);
  let wakeAt: number | undefined;
  for (const retained of state.retained) {
    if (retained.hot === true) continue;
    const due = retained.scaleDownAt === undefined ? now : Date.parse(retained.scaleDownAt);
    if (due > now) {
      wakeAt = Math.min(wakeAt ?? Infinity, due);
      continue;
    }
    const d = retained.version === world.original?.version && !world.deployments.has(retained.version) ? world.original.deployment : world.deployments.get(retained.version);
    if (await scale(deps.kube, world, d, 0)) {
      await commit(deps, pass, (s) => record(s, now, { event: 'ScaledDown', message: `${retained.version} scaled down (kept for rollback)`, version: retained.version }));
    }
  }
  // Versions that were never promoted (aborted or replaced canaries) do not take a slot.
  const good = state.retained.filter((r) => r.aborted !== true);
  const extra = [...state.retained.filter((r) => r.aborted === true && (r.scaleDownAt === undefined || Date.parse(r.scaleDownAt) <= now)), ...good.slice(options.keep)];
  if (extra.length > 0) {
    await commit(deps, pass, (s) => {
      const gone = new Set(extra.map((r) => r.version));
      s.retained = s.retained.filter((r) => !gone.has(r.version));
      for (const r of extra) record(s, now, { event: 'Retired', message: `${r.version} retired (more than ${options.keep} kept)`, version: r.version, keep: options.keep });
    });
    await applyTraffic(deps.kube, world, planFromState(pass.state, world), state.router);
    for (const r of extra) await deleteVersion(deps.kube, world, r.version);
    return { next: 'continue' };
  }
  // Traffic is where it was asked to be: a delay whose only job is to keep the previous
  // version warm does not hold the command, unless asked to.
  if (wakeAt !== undefined && options.waitScaleDown === true) return { next: 'wait', until: wakeAt };
  return { next: 'stop', outcome: 'healthy' };
}
