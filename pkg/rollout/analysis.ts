import { gatesAt, notify, runStage, startStage } from '../analysis/run.ts';
import type { AnalysisContext } from '../analysis/run.ts';
import type { Measurement } from '../analysis/progress.ts';
import { GATES_ANNOTATION, parseGatesDocument } from '../analysis/sources.ts';
import type { GateSet, Hook } from '../analysis/spec.ts';
import type { Kube } from '../kube/index.ts';
import { RELEASE_ANNOTATION } from '../kube/types.ts';
import { childName, versionSlug } from '../render/index.ts';
import { emitEvent } from './events.ts';
import type { RolloutState } from './state.ts';
import { record } from './store.ts';
import type { World } from './world.ts';

/** What the engine does after a stage's pass. */
export type AnalysisOutcome =
  | { kind: 'done' } // no gates here, or they passed (now or before)
  | { kind: 'wait'; until: number }
  | { kind: 'fail'; reason: string }
  | { kind: 'inconclusive'; reason: string };

/** What the analysis needs of the engine. */
export interface AnalysisDeps {
  kube: Kube;
  namespace: string;
  app: string;
  now(): number;
  signal?: AbortSignal;
  /** Saves a change of the state (and its history). */
  commit(change: (state: RolloutState) => void): Promise<void>;
}

/**
 * The gates of the rollout: those given to this command, else those recorded when it
 * started, else the canary workload's `switchyard.dev/gates` annotation (on the
 * Deployment or its pod template). A malformed annotation is a one-line error naming it.
 */
export function gateSetFor(state: RolloutState, world: World, given: GateSet | undefined): GateSet | undefined {
  if (given !== undefined) return given;
  if (state.gates !== undefined) return state.gates;
  const d = world.deployments.get(state.canary ?? '');
  if (d === undefined) return undefined;
  const template = (d.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined)?.template;
  const text = d.metadata.annotations?.[GATES_ANNOTATION] ?? template?.metadata?.annotations?.[GATES_ANNOTATION];
  return text === undefined ? undefined : parseGatesDocument(text, `annotation ${GATES_ANNOTATION} of Deployment ${d.metadata.name}`);
}

/** What a measurement knows of the rollout. */
export function analysisContext(deps: AnalysisDeps, state: RolloutState, world: World): AnalysisContext {
  const canary = state.canary ?? state.stable;
  const d = world.deployments.get(canary);
  const release = d?.metadata.annotations?.[RELEASE_ANNOTATION];
  const step = state.steps[state.step] === undefined ? undefined : state.step + 1;
  const ctx: AnalysisContext = {
    kube: deps.kube,
    namespace: deps.namespace,
    app: deps.app,
    router: state.router,
    stable: state.stable,
    canary,
    header: state.header,
    services: world.stableServices.map((s) => ({
      name: s.metadata.name,
      ports: ((s.spec as { ports?: { port: number; name?: string }[] } | undefined)?.ports ?? []).flatMap((p) => [String(p.port), ...(p.name === undefined ? [] : [p.name])]),
    })),
    versionService: (service, version) => childName(service, versionSlug(version)),
    weight: state.weight,
    phase: state.phase,
    now: deps.now,
  };
  if (release !== undefined) ctx.release = release;
  if (step !== undefined) ctx.step = step;
  if (deps.signal !== undefined) ctx.signal = deps.signal;
  return ctx;
}

/**
 * One pass of the stage `key` (gates at `hook`): starts it, takes the measurements that are
 * due, records them (state, Events) and says what the rollout does next. A stage passed
 * once is never measured again in the same rollout, so a re-run after a crash continues.
 */
export async function analyse(deps: AnalysisDeps, state: RolloutState, world: World, set: GateSet | undefined, key: string, hook: Hook): Promise<AnalysisOutcome> {
  const gates = gatesAt(set, hook, state.weight);
  if (set === undefined || gates.length === 0 || state.undo === true) return { kind: 'done' };
  if (state.analysis?.passed.includes(key) === true) return { kind: 'done' };
  const now = deps.now();
  if (state.gates === undefined || JSON.stringify(state.gates) !== JSON.stringify(set)) await deps.commit((s) => (s.gates = set));
  let stage = state.analysis?.current;
  if (stage?.stage !== key) {
    const fresh = startStage(key, hook, gates, now);
    await deps.commit((s) => {
      s.analysis = { passed: s.analysis?.passed ?? [], current: fresh, ...(s.analysis?.last === undefined ? {} : { last: s.analysis.last }) };
      record(s, now, { event: 'AnalysisStarted', message: `${describe(key)}: measuring ${gates.map((g) => g.name).join(', ')}`, version: s.canary, weight: s.weight, stage: describe(key), gates: gates.map((g) => g.name) });
    });
    stage = fresh;
  }
  const result = await runStage(set, stage, analysisContext(deps, state, world));
  for (const { gate, measurement } of result.measured) await event(deps, gate, key, measurement);
  const outcome = result.outcome;
  const at = deps.now();
  switch (outcome.verdict) {
    case 'running':
      if (result.measured.length > 0 || JSON.stringify(result.stage) !== JSON.stringify(stage)) await deps.commit((s) => (s.analysis!.current = result.stage));
      return { kind: 'wait', until: outcome.nextAt };
    case 'pass':
      await deps.commit((s) => {
        s.analysis = { ...s.analysis!, passed: [...s.analysis!.passed, key], last: result.stage };
        delete s.analysis.current;
        record(s, at, { event: 'AnalysisPassed', message: `${describe(key)}: ${outcome.message}`, version: s.canary, weight: s.weight, stage: describe(key), detail: outcome.message });
      });
      return { kind: 'done' };
    case 'fail':
      await deps.commit((s) => {
        s.analysis = { ...s.analysis!, last: result.stage };
        delete s.analysis.current;
        record(s, at, { event: 'AnalysisFailed', message: `${describe(key)}: ${outcome.message}`, version: s.canary, weight: s.weight, stage: describe(key), detail: outcome.message });
      });
      return { kind: 'fail', reason: `analysis failed at ${describe(key)}: ${outcome.message}` };
    case 'inconclusive':
      await deps.commit((s) => {
        s.analysis = { ...s.analysis!, current: result.stage };
        record(s, at, { event: 'AnalysisInconclusive', message: `${describe(key)}: ${outcome.message}`, version: s.canary, weight: s.weight, stage: describe(key), detail: outcome.message });
      });
      return { kind: 'inconclusive', reason: `analysis inconclusive at ${describe(key)}: ${outcome.message}` };
  }
}

/**
 * Calls the rollback webhooks once per rollout (flagged in the state first: at most once,
 * even when a crash follows). Their answers are Events, never verdicts.
 */
export async function notifyRollback(deps: AnalysisDeps, state: RolloutState, world: World, set: GateSet | undefined, reason: string): Promise<void> {
  if (gatesAt(set, 'rollback').length === 0 || state.analysis?.rollbackNotified === true) return;
  await deps.commit((s) => (s.analysis = { passed: [], ...s.analysis, rollbackNotified: true }));
  for (const { gate, measurement } of await notify(set, 'rollback', analysisContext(deps, state, world), reason)) await event(deps, gate, 'rollback', measurement);
}

/** Calls the post-promotion webhooks (notifications). */
export async function notifyPromoted(deps: AnalysisDeps, state: RolloutState, world: World, set: GateSet | undefined, message: string): Promise<void> {
  for (const { gate, measurement } of await notify(set, 'post-promotion', analysisContext(deps, state, world), message)) await event(deps, gate, 'post-promotion', measurement);
}

function describe(key: string): string {
  const step = /^step-(\d+)$/.exec(key);
  return step === null ? key : `step ${step[1]}`;
}

async function event(deps: AnalysisDeps, gate: string, key: string, m: Measurement): Promise<void> {
  const warning = m.phase === 'fail' || m.phase === 'error' || m.phase === 'inconclusive';
  await emitEvent(deps.kube, deps.namespace, deps.app, 'Measured', `gate ${gate} at ${describe(key)}: ${m.phase}: ${m.message}`, warning ? 'Warning' : 'Normal', deps.now());
}
