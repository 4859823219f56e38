import { selectRouter } from '../route/index.ts';
import type { RouterName } from '../route/index.ts';
import { compareVersions } from '../render/index.ts';
import type { Strategy } from '../render/index.ts';
import { record } from './store.ts';
import { DEFAULT_STEPS, parseSteps, startRollout } from './state.ts';
import type { RolloutState, Step } from './state.ts';
import type { World } from './world.ts';

/** Annotation on a workload with its canary plan, e.g. `10,25,pause:1m,50,100`. */
export const STEPS_ANNOTATION = 'switchyard.dev/steps';

/** Plan settings that come from flags. */
export interface PlanSettings {
  steps?: Step[];
  strategy?: Strategy;
  router?: RouterName;
  header?: string;
  /** How long a replaced stable version stays at full size; Infinity keeps it hot. */
  scaleDownDelayMs?: number;
  /** Blue-green: switch by itself once the preview has been ready this long. */
  autoPromoteAfterMs?: number;
}

/** The default plan of a strategy: canary weights, or blue-green's preview then switch. */
export function defaultSteps(strategy: Strategy, settings: PlanSettings): Step[] {
  if (strategy === 'canary') return DEFAULT_STEPS;
  const pause: Step = settings.autoPromoteAfterMs === undefined ? { kind: 'pause' } : { kind: 'pause', durationMs: settings.autoPromoteAfterMs };
  return [{ kind: 'weight', weight: 0 }, pause];
}

/** The state of an app switchyard has not driven before, from its live objects. */
export function initialState(world: World, settings: PlanSettings, now: number): RolloutState {
  const versions = newestFirst(world);
  const stable = world.liveStable ?? world.original?.version ?? versions.at(-1) ?? 'unknown';
  const router: RouterName = selectRouter({ router: settings.router ?? world.router, chart: { routes: world.routes, ingresses: world.ingresses } }).name;
  const strategyAnnotation = world.deployments.get(versions[0] ?? '')?.metadata.annotations?.['switchyard.dev/strategy'];
  const strategy: Strategy = settings.strategy ?? (strategyAnnotation === 'bluegreen' ? 'bluegreen' : 'canary');
  const state: RolloutState = {
    schema: 1,
    app: world.app,
    strategy,
    router,
    header: settings.header ?? 'x-version',
    phase: 'Healthy',
    stable,
    weight: 0,
    steps: [],
    step: 0,
    retained: [],
    history: [],
    updatedAt: new Date(now).toISOString(),
  };
  for (const version of versions) if (version !== stable) state.retained.push({ version });
  // The newest non-stable version is a rollout waiting to be driven, not a retained one.
  const newest = versions.find((v) => v !== stable);
  if (newest !== undefined) state.retained = state.retained.filter((r) => r.version !== newest);
  record(state, now, { event: 'Adopted', message: `switchyard took over ${world.app} with ${stable} stable`, version: stable });
  return state;
}

/**
 * Brings a stored state up to date with the live objects, purely: finishes a promotion
 * whose Service flip happened before a crash, starts a rollout for a version deployed
 * since (a `helm upgrade`), and forgets versions that no longer exist.
 */
export function reconcile(input: RolloutState, world: World, settings: PlanSettings, now: number): RolloutState {
  const state = structuredClone(input);
  state.retained = state.retained.filter((r) => world.deployments.has(r.version) || (world.original?.version === r.version));
  if (state.canary !== undefined && state.canary === state.stable) delete state.canary;
  if (state.canary !== undefined && world.liveStable === state.canary && state.stable !== state.canary) {
    finishPromotion(state, now, settings.scaleDownDelayMs ?? 0);
  }
  if (state.canary !== undefined && !world.deployments.has(state.canary)) {
    record(state, now, { event: 'CanaryGone', message: `${state.canary} no longer exists; ${state.stable} serves everything`, version: state.canary, stable: state.stable });
    delete state.canary;
    state.weight = 0;
    state.phase = 'Healthy';
    delete state.message;
  }
  const retained = new Set(state.retained.map((r) => r.version));
  const newest = newestFirst(world).find((v) => v !== state.stable && !retained.has(v));
  if (newest !== undefined && newest !== state.canary) {
    startRollout(state, newest, settings.steps ?? stepsOf(world, newest) ?? defaultSteps(state.strategy, settings), now);
    delete state.request;
    record(state, now, { event: 'RolloutStarted', message: `rolling out ${newest} (stable ${state.stable}) in ${state.steps.length} steps`, version: newest, stable: state.stable, steps: state.steps.length });
  }
  if (state.canary === undefined && state.phase !== 'Healthy') {
    state.phase = 'Healthy';
    delete state.message;
  }
  return state;
}

/** Bookkeeping once the stable Services select the canary. */
export function finishPromotion(state: RolloutState, now: number, scaleDownDelayMs: number): void {
  const previous = state.stable;
  const promoted = state.canary!;
  const retained: RolloutState['retained'][number] = Number.isFinite(scaleDownDelayMs) ? { version: previous, scaleDownAt: new Date(now + scaleDownDelayMs).toISOString() } : { version: previous, hot: true };
  state.retained = [retained, ...state.retained.filter((r) => r.version !== promoted && r.version !== previous)];
  state.stable = promoted;
  delete state.canary;
  state.weight = 0;
  state.phase = 'Healthy';
  state.step = state.steps.length;
  delete state.message;
  delete state.pauseUntil;
  delete state.request;
  delete state.undo;
  record(state, now, { event: 'Promoted', message: `${promoted} is stable; ${previous} is retained for rollback`, version: promoted, previous, weight: 100 });
}

/** The plan a version's workload asks for; a malformed annotation is an error, never the default plan. */
function stepsOf(world: World, version: string): Step[] | undefined {
  const deployment = world.deployments.get(version);
  const raw = deployment?.metadata.annotations?.[STEPS_ANNOTATION];
  if (raw === undefined) return undefined;
  try {
    return parseSteps(raw);
  } catch (err) {
    const where = `Deployment ${world.namespace}/${deployment?.metadata.name ?? version}`;
    throw new Error(`${where}: invalid ${STEPS_ANNOTATION} annotation "${raw}": ${(err as Error).message} (fix the annotation, or pass --steps)`, { cause: err });
  }
}

/** Live versions, newest Deployment first. */
export function newestFirst(world: World): string[] {
  return [...world.deployments.entries()]
    .sort(([va, a], [vb, b]) => {
      const ta = Date.parse(String(a.metadata.creationTimestamp ?? '')) || 0;
      const tb = Date.parse(String(b.metadata.creationTimestamp ?? '')) || 0;
      return tb - ta || compareVersions(vb, va);
    })
    .map(([v]) => v);
}
