import { gatesAt } from '../analysis/run.ts';
import type { GateSet, Hook } from '../analysis/spec.ts';
import { stableTrack } from '../render/index.ts';
import type { AnalysisOutcome } from './analysis.ts';
import { replicasFor } from './capacity.ts';
import { returnSupersededTraffic, restoreTraffic, settle } from './decide-settle.ts';
import { commit, gatesOf, route, scaleTo } from './draft.ts';
import type { Draft } from './draft.ts';
import type { Decision, Next, Policy } from './effects.ts';
import { availability, progressDeadline, restarts, runGates } from './gates.ts';
import { finishPromotion, initialState, reconcile } from './reconcile.ts';
import { applyRequest } from './requests.ts';
import type { RolloutState } from './state.ts';
import { record } from './store.ts';
import { planFromState } from './traffic.ts';
import type { World } from './world.ts';

/** Inputs of {@link decide}. */
export interface DecideInput {
  /** The state as stored; undefined when switchyard never drove the app. */
  stored: RolloutState | undefined;
  /** The live objects as read (with the restarts of the app's pods). */
  world: World;
  now: number;
  policy: Policy;
  /** Outcomes of analysis stages measured since `world` was read, by stage key. */
  measured?: ReadonlyMap<string, AnalysisOutcome>;
}

/**
 * The step machine, purely: brings the stored state up to date with the world (adoption,
 * a new version, a request), then says what to write, in order, and what comes next. It
 * never reads the cluster or the clock, and never changes its inputs.
 */
export function decide(input: DecideInput): Decision {
  const { stored, world, now, policy } = input;
  const state = applyRequest(reconcile(stored ?? initialState(world, policy.settings, now), world, policy.settings, now), now);
  const d: Draft = { state: stored === undefined ? { ...state, history: [] } : structuredClone(stored), world, now, policy, measured: input.measured ?? new Map(), effects: [] };
  if (stored === undefined || JSON.stringify(stored) !== JSON.stringify(state)) commit(d, (s) => replaceState(s, state));
  else d.state = state;
  let next: Next;
  try {
    next = takeStep(d);
  } catch (error) {
    next = { kind: 'fail', error };
  }
  const out: Decision = { state: d.state, effects: d.effects, next };
  if (d.checks !== undefined) out.checks = d.checks;
  return out;
}

function takeStep(d: Draft): Next {
  const restoring = restoreTraffic(d);
  if (restoring !== undefined) return restoring;
  const returned = returnSupersededTraffic(d);
  if (returned !== undefined) return returned;
  const { state } = d;
  switch (state.phase) {
    case 'Healthy':
      return settle(d);
    case 'Degraded':
      route(d, planFromState(state, d.world));
      scaleTo(d, d.world.deployments.get(state.canary ?? ''), 0);
      d.effects.push({ kind: 'notify-rollback', gates: gatesOf(d), reason: state.message ?? 'rolled back' });
      return { kind: 'done', outcome: 'degraded' };
    case 'Paused':
      route(d, planFromState(state, d.world));
      return { kind: 'wait', for: 'person' };
    case 'Progressing':
      break;
  }
  const canary = state.canary!;
  const step = state.steps[state.step];
  if (d.policy.holdAtStep !== undefined && state.step >= d.policy.holdAtStep) return { kind: 'done', outcome: 'held' };
  if (state.undo !== true && state.analysis?.passed.includes('pre-rollout') !== true && gatesOf(d)?.gates.some((g) => g.at.includes('pre-rollout')) === true) {
    const verdict = ready(d, canary, replicasFor(d.world, state, state.strategy === 'bluegreen' ? 100 : 0));
    if (verdict !== 'pass') return verdict;
    const pre = analysed(d, 'pre-rollout', 'pre-rollout');
    if (pre !== undefined) return pre;
  }
  if (step === undefined) return promote(d);
  if (step.kind === 'pause') return pause(d, canary, step.durationMs);
  const weight = state.strategy === 'bluegreen' ? 0 : step.weight;
  const verdict = ready(d, canary, replicasFor(d.world, state, state.strategy === 'bluegreen' ? 100 : weight));
  if (verdict !== 'pass') return verdict;
  if (state.weight !== weight) {
    commit(d, (s) => {
      s.weight = weight;
      record(s, d.now, { event: 'WeightSet', message: `${canary} receives ${weight}% of traffic (step ${s.step + 1}/${s.steps.length})`, version: canary, weight, step: s.step + 1, steps: s.steps.length });
    });
  }
  route(d, planFromState(d.state, d.world));
  // With traffic on the canary, the step's gates measure it before the next step.
  if (weight > 0) {
    const measured = analysed(d, `step-${d.state.step + 1}`, 'step');
    if (measured !== undefined) return measured;
  }
  commit(d, (s) => {
    s.step++;
    delete s.stepStartedAt;
  });
  return { kind: 'again' };
}

/** A pause step: indefinite (a person promotes or resumes) or timed. */
function pause(d: Draft, canary: string, durationMs: number | undefined): Next {
  if (durationMs === undefined) {
    commit(d, (s) => {
      s.phase = 'Paused';
      s.message = s.strategy === 'bluegreen' ? `${canary} is ready as the preview: run "kubectl bluegreen switch ${s.app}" to make it active` : `paused at step ${s.step + 1}/${s.steps.length}: run "promote" or "resume" to continue`;
      record(s, d.now, { event: 'Paused', message: s.message, version: canary, weight: s.weight, ...(s.strategy === 'bluegreen' ? { cause: 'preview' as const } : { cause: 'step' as const, step: s.step + 1, steps: s.steps.length }) });
    });
    return { kind: 'wait', for: 'person' };
  }
  if (d.state.pauseUntil === undefined) {
    commit(d, (s) => {
      s.pauseUntil = new Date(d.now + durationMs).toISOString();
      record(s, d.now, { event: 'Pausing', message: `pausing ${Math.round(durationMs / 1000)}s at ${s.weight}%`, version: canary, weight: s.weight, durationMs });
    });
  }
  const until = Date.parse(d.state.pauseUntil!);
  if (d.now < until) return { kind: 'wait', for: 'pause', until };
  commit(d, (s) => {
    s.step++;
    delete s.pauseUntil;
  });
  return { kind: 'again' };
}

/**
 * The analysis stage `key`: undefined once it passed or has no gates (go on), a measurement
 * to take, a wait while it measures, a rollback when it failed, a pause (for a person) when
 * it was inconclusive.
 */
function analysed(d: Draft, key: string, hook: Hook): Next | undefined {
  const set = gatesOf(d);
  const { state } = d;
  if (set === undefined || gatesAt(set, hook, state.weight).length === 0 || state.undo === true || state.analysis?.passed.includes(key) === true) return undefined;
  const outcome = d.measured.get(key);
  if (outcome === undefined) return { kind: 'measure', key, hook, gates: set };
  switch (outcome.kind) {
    case 'done':
      return undefined;
    case 'wait':
      return { kind: 'wait', for: 'analysis', until: outcome.until };
    case 'fail':
      return abort(d, outcome.reason, set);
    case 'inconclusive': {
      const plugin = state.strategy === 'bluegreen' ? 'bluegreen' : 'canary';
      commit(d, (s) => {
        s.phase = 'Paused';
        s.pausedBy = 'analysis';
        s.message = `${outcome.reason}; "kubectl ${plugin} resume ${s.app}" measures again, "promote" skips the stage, "abort" rolls back`;
        record(s, d.now, { event: 'Paused', message: s.message, version: s.canary, weight: s.weight, cause: 'analysis', reason: outcome.reason });
      });
      return { kind: 'wait', for: 'person' };
    }
  }
}

/**
 * Scales `version` to `desired` and judges its health: `pass` when ready, a wait while
 * pending, a rollback when a check fails or the progress deadline passed.
 */
function ready(d: Draft, version: string, desired: number): 'pass' | Next {
  // The step's clock starts with its first scale (one state write for both).
  if (scaleTo(d, d.world.deployments.get(version), desired)) {
    commit(d, (s) => {
      record(s, d.now, { event: 'Scaled', message: `${version} scaled to ${desired} replicas`, version, replicas: desired });
      s.stepStartedAt ??= new Date(d.now).toISOString();
    });
    return { kind: 'again' };
  }
  if (d.state.stepStartedAt === undefined) commit(d, (s) => (s.stepStartedAt = new Date(d.now).toISOString()));
  const started = Date.parse(d.state.stepStartedAt!);
  const ctx = { world: d.world, version, desired, stepStartedAt: started, now: d.now };
  const { verdict, results } = runGates([availability, restarts(d.policy.maxRestarts)], ctx);
  let final = verdict;
  let shown = results;
  if (verdict.result === 'pending') {
    const deadline = progressDeadline(d.policy.progressDeadlineMs).check(ctx);
    shown = [...results, { name: 'progress-deadline', ok: deadline.result !== 'fail', message: deadline.message }];
    if (deadline.result === 'fail') final = { result: 'fail', message: `progress-deadline: ${version} ${deadline.message} (${verdict.message})` };
  }
  d.checks = shown;
  if (final.result === 'fail') return abort(d, final.message);
  if (final.result === 'pending') return { kind: 'wait', for: 'readiness', until: started + d.policy.progressDeadlineMs + 1 };
  return 'pass';
}

/** Rolls back to the stable version; an undo that cannot become ready stays where it was. */
function abort(d: Draft, reason: string, gates?: GateSet): Next {
  const canary = d.state.canary;
  if (d.state.undo === true && canary !== undefined) {
    // A refused rollback: traffic never left the stable version; the target stays a good,
    // retained version, so the same command can be run again once it can become ready.
    commit(d, (s) => {
      s.retained = [{ version: canary, scaleDownAt: new Date(d.now).toISOString() }, ...s.retained.filter((r) => r.version !== canary)];
      delete s.canary;
      delete s.undo;
      s.weight = 0;
      s.phase = 'Healthy';
      s.message = reason;
      record(s, d.now, { event: 'UndoRefused', message: `stayed on ${s.stable}: ${canary} is not ready (${reason})`, version: canary, weight: 0, stable: s.stable, reason });
    });
    route(d, planFromState(d.state, d.world));
    scaleTo(d, d.world.deployments.get(canary), 0);
    return { kind: 'done', outcome: 'degraded' };
  }
  commit(d, (s) => {
    s.phase = 'Degraded';
    s.message = reason;
    s.weight = 0;
    record(s, d.now, { event: 'Aborted', message: `rolled back to ${s.stable}: ${reason}`, version: canary, weight: 0, stable: s.stable, reason });
  });
  route(d, planFromState(d.state, d.world));
  scaleTo(d, d.world.deployments.get(canary ?? ''), 0);
  d.effects.push({ kind: 'notify-rollback', gates: gates ?? d.state.gates, reason });
  return { kind: 'done', outcome: 'degraded' };
}

/** Full size, ready, then flip the stable Services and routes to the canary, then record it. */
function promote(d: Draft): Next {
  const canary = d.state.canary!;
  const verdict = ready(d, canary, replicasFor(d.world, d.state, 100));
  if (verdict !== 'pass') return verdict;
  const checked = analysed(d, 'pre-promotion', 'pre-promotion');
  if (checked !== undefined) return checked;
  const gates = gatesOf(d);
  const before = structuredClone(d.state);
  const promoted = structuredClone(d.state);
  finishPromotion(promoted, d.now, d.policy.scaleDownDelayMs);
  promoted.stableReplicas = replicasFor(d.world, d.state, 100);
  const plan = planFromState(promoted, d.world);
  route(d, plan);
  d.effects.push({ kind: 'retarget-scalers', deployment: stableTrack(plan).deployment });
  commit(d, (s) => replaceState(s, promoted));
  d.effects.push({ kind: 'notify-promoted', before, gates, message: `${canary} is stable` });
  return { kind: 'again' };
}

/** Replaces every field of `target` with those of `source` (fields `source` lacks are removed). */
function replaceState(target: RolloutState, source: RolloutState): void {
  for (const key of Object.keys(target)) if (!(key in source)) delete (target as unknown as Record<string, unknown>)[key];
  Object.assign(target, structuredClone(source));
}
