import type { GateSpec } from './spec.ts';

/** The result of one measurement. */
export type MeasurementPhase = 'pass' | 'fail' | 'inconclusive' | 'error';

/** One measurement, as stored in the state (the last few per gate) and sent as an Event. */
export interface Measurement {
  /** ISO time. */
  at: string;
  phase: MeasurementPhase;
  /** The value measured, when there was one (a ratio, seconds, an HTTP status). */
  value?: number;
  /** One line, never a secret. */
  message: string;
}

/** Where one gate is in one stage. */
export interface GateProgress {
  gate: string;
  /** Counted measurements: pass and fail (errors and inconclusive ones are not counted towards `count`). */
  taken: number;
  failures: number;
  inconclusive: number;
  errors: number;
  consecutiveErrors: number;
  /** The last measurements, newest last (at most {@link KEPT}). */
  measurements: Measurement[];
  /** Set once the gate is decided for this stage. */
  verdict?: Verdict;
  /** A compare gate's samples so far, by series. */
  samples?: { canary: number[]; stable: number[] };
  /** A Job gate's Job, once created. */
  job?: string;
}

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** Measurements kept per gate in the state. */
export const KEPT = 10;

/** A fresh record for `gate`. */
export function startProgress(gate: string): GateProgress {
  return { gate, taken: 0, failures: 0, inconclusive: 0, errors: 0, consecutiveErrors: 0, measurements: [] };
}

/** Adds a measurement (pure: returns a new record). */
export function addMeasurement(progress: GateProgress, m: Measurement): GateProgress {
  const next: GateProgress = { ...progress, measurements: [...progress.measurements, m].slice(-KEPT) };
  if (m.phase === 'error') {
    next.errors++;
    next.consecutiveErrors++;
    return next;
  }
  next.consecutiveErrors = 0;
  if (m.phase === 'inconclusive') {
    next.inconclusive++;
    return next;
  }
  next.taken++;
  if (m.phase === 'fail') next.failures++;
  return next;
}

/**
 * Argo Rollouts' rules: more failures than `failureLimit` fail, more consecutive errors
 * than `consecutiveErrorLimit` are inconclusive for a metric (fail for a webhook or Job), more inconclusive measurements than
 * `inconclusiveLimit` are inconclusive (or fail, with `onInconclusive: fail`), and `count`
 * counted measurements with none of those pass. Undefined: not decided, measure again.
 */
export function assess(spec: GateSpec, p: GateProgress): { verdict: Verdict; reason: string } | undefined {
  if (p.failures > spec.failureLimit) return { verdict: 'fail', reason: `${p.failures} failed measurement${p.failures === 1 ? '' : 's'} (limit ${spec.failureLimit})` };
  if (p.consecutiveErrors > spec.consecutiveErrorLimit) {
    // A metric that cannot be read says nothing about the canary: inconclusive (Argo fails
    // here; `onInconclusive: fail` does too). A webhook or Job that cannot answer fails.
    const measuring = spec.type === 'metric' || spec.type === 'compare';
    const verdict = measuring && spec.onInconclusive === 'pause' ? 'inconclusive' : 'fail';
    return { verdict, reason: `${p.consecutiveErrors} consecutive error${p.consecutiveErrors === 1 ? '' : 's'} (limit ${spec.consecutiveErrorLimit})` };
  }
  if (p.inconclusive > spec.inconclusiveLimit) {
    return { verdict: spec.onInconclusive === 'fail' ? 'fail' : 'inconclusive', reason: `${p.inconclusive} inconclusive measurement${p.inconclusive === 1 ? '' : 's'} (limit ${spec.inconclusiveLimit})` };
  }
  if (p.taken >= spec.count) return { verdict: 'pass', reason: `${p.taken - p.failures} of ${p.taken} passed` };
  return undefined;
}

/**
 * When the next measurement is due: the first after `initialDelay`, then one per
 * `interval` (an error is retried at the next interval). Job gates poll once a second.
 */
export function nextDue(spec: GateSpec, p: GateProgress, stageStartedAt: number): number {
  if (spec.type === 'job' && p.job !== undefined) {
    const last = p.measurements.at(-1);
    return last === undefined ? stageStartedAt : Date.parse(last.at) + 1000;
  }
  const attempts = p.taken + p.errors + p.inconclusive;
  return stageStartedAt + spec.initialDelayMs + attempts * spec.intervalMs;
}
