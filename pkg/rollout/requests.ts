import { record } from './store.ts';
import { startRollout } from './state.ts';
import type { ControlRequest, RolloutState } from './state.ts';

/**
 * Carries out a control request stored in the state by `promote`, `pause`, `resume`,
 * `abort` or `retry`, purely; the engine then makes the cluster match.
 */
export function applyRequest(input: RolloutState, now: number): RolloutState {
  const request = input.request;
  if (request === undefined) return input;
  const state = structuredClone(input);
  delete state.request;
  // Any request ends a pause of an inconclusive analysis; the stage is measured afresh.
  if (state.pausedBy === 'analysis' && request.kind !== 'pause') {
    delete state.pausedBy;
    if (state.analysis !== undefined) delete state.analysis.current;
  }
  const by = `by ${request.by}`;
  const step = state.steps[state.step];
  switch (request.kind) {
    case 'abort':
      if (state.canary === undefined || state.phase === 'Degraded') break;
      state.phase = 'Degraded';
      state.weight = 0;
      state.message = `aborted ${by}${request.reason === undefined ? '' : `: ${request.reason}`}`;
      record(state, now, { event: 'Aborted', message: `rolled back to ${state.stable}: ${state.message}`, version: state.canary, weight: 0, stable: state.stable, reason: state.message });
      break;
    case 'pause':
      if (state.phase !== 'Progressing') break;
      state.phase = 'Paused';
      state.message = `paused ${by}`;
      record(state, now, { event: 'Paused', message: state.message, version: state.canary, weight: state.weight, cause: 'request', by: request.by });
      break;
    case 'resume':
    case 'promote':
      if (state.canary === undefined || state.phase === 'Degraded' || state.phase === 'Healthy') break;
      if (state.phase === 'Paused') state.phase = 'Progressing';
      if (request.kind === 'promote' && state.analysis !== undefined) delete state.analysis.current;
      if (request.kind === 'promote' || step?.kind === 'pause') {
        if (state.step < state.steps.length) state.step++;
        delete state.pauseUntil;
        delete state.stepStartedAt;
      }
      delete state.message;
      const message = `${request.kind === 'promote' ? 'skipped to the next step' : 'resumed'} ${by}`;
      if (request.kind === 'promote') record(state, now, { event: 'Promote', message, version: state.canary, weight: state.weight, by: request.by, full: false });
      else record(state, now, { event: 'Resumed', message, version: state.canary, weight: state.weight, by: request.by });
      break;
    case 'promote-full':
      if (state.canary === undefined || state.phase === 'Healthy') break;
      state.phase = 'Progressing';
      state.step = state.steps.length;
      delete state.pauseUntil;
      delete state.stepStartedAt;
      delete state.message;
      record(state, now, { event: 'Promote', message: `promoting ${state.canary} now, skipping the remaining steps, ${by}`, version: state.canary, weight: state.weight, by: request.by, full: true });
      break;
    case 'retry':
      if (state.canary === undefined || state.phase !== 'Degraded') break;
      state.phase = 'Progressing';
      state.step = 0;
      state.weight = 0;
      state.startedAt = new Date(now).toISOString();
      delete state.analysis;
      delete state.stepStartedAt;
      delete state.message;
      record(state, now, { event: 'Retry', message: `retrying ${state.canary} from the first step ${by}`, version: state.canary, weight: 0, by: request.by });
      break;
    case 'undo': {
      const target = request.target ?? state.retained.find((r) => r.aborted !== true)?.version;
      if (target === undefined || target === state.stable) break;
      state.retained = state.retained.filter((r) => r.version !== target);
      startRollout(state, target, [], now);
      state.undo = true;
      record(state, now, { event: 'Undo', message: `rolling back from ${state.stable} to ${target} ${by}`, version: target, from: state.stable, by: request.by });
      break;
    }
    case 'set-weight': {
      const weight = request.weight ?? 0;
      if (state.canary === undefined || state.phase === 'Healthy') break;
      const rest = state.steps.slice(state.step).filter((s, i) => !(i === 0 && s.kind === 'pause'));
      state.steps = [...state.steps.slice(0, state.step), { kind: 'weight', weight }, { kind: 'pause' }, ...rest];
      state.phase = 'Progressing';
      delete state.pauseUntil;
      delete state.stepStartedAt;
      delete state.message;
      record(state, now, { event: 'SetWeight', message: `holding ${state.canary} at ${weight}% until resumed ${by}`, version: state.canary, weight, by: request.by });
      break;
    }
  }
  return state;
}

/** Builds a request. */
export function request(kind: ControlRequest['kind'], by: string, now: number, extra: { reason?: string; target?: string; weight?: number } = {}): ControlRequest {
  const out: ControlRequest = { kind, by, at: new Date(now).toISOString() };
  if (extra.reason !== undefined) out.reason = extra.reason;
  if (extra.target !== undefined) out.target = extra.target;
  if (extra.weight !== undefined) out.weight = extra.weight;
  return out;
}
