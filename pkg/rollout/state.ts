import type { GateSet } from '../analysis/spec.ts';
import type { StageState } from '../analysis/run.ts';
import type { RouterName } from '../route/index.ts';
import type { Strategy } from '../render/index.ts';
import type { StoredHistoryEntry } from './history.ts';

/** Where a rollout is. */
export type Phase =
  | 'Healthy' // one stable version serves everything; nothing to do
  | 'Progressing' // a canary is being stepped through its plan
  | 'Paused' // waiting for `promote`/`resume` (an indefinite pause, or `pause`)
  | 'Degraded'; // aborted or rolled back; traffic is on stable; `retry` or a new version restarts

/** One step of a plan. */
export type Step =
  | { kind: 'weight'; weight: number }
  | { kind: 'pause'; /** milliseconds; undefined means until `promote` or `resume` */ durationMs?: number };

export type { HistoryEntry, HistoryEvent, HistoryKind, StoredHistoryEntry } from './history.ts';

/** A version kept (scaled down or still warm) for an instant rollback. */
export interface Retained {
  version: string;
  /** ISO time after which it is scaled to zero; undefined once scaled down. */
  scaleDownAt?: string;
  /** Kept at full size (blue-green `--scale-down-delay 0`): never scaled down automatically. */
  hot?: boolean;
  /** Never promoted (aborted, or replaced by a newer version): retired first, not a rollback target by default. */
  aborted?: boolean;
}

/**
 * The rollout state of one app, stored as JSON in the ConfigMap `switchyard.<app>`
 * (key `state`) and written with optimistic concurrency on its resourceVersion.
 * The schema is versioned by `schema`; readers ignore fields they do not know.
 */
export interface RolloutState {
  schema: 1;
  app: string;
  strategy: Strategy;
  router: RouterName;
  header: string;
  phase: Phase;
  stable: string;
  /** The version being rolled out, if any. */
  canary?: string;
  /** The canary's current traffic weight in percent. */
  weight: number;
  steps: Step[];
  /** Index of the step being executed (steps.length once every step is done). */
  step: number;
  /** When the current step started (ISO). */
  stepStartedAt?: string;
  /** End of a timed pause (ISO). */
  pauseUntil?: string;
  /** Why the rollout is Paused or Degraded. */
  message?: string;
  /** Newest first. */
  retained: Retained[];
  /** When the rollout of `canary` started (ISO). */
  startedAt?: string;
  /** A command that another process asked the driver to carry out. */
  request?: ControlRequest;
  /** The rollout in progress is an `undo`/`rollback` to a version that was stable before. */
  undo?: boolean;
  /** Replicas of the stable version when it became stable, to restore its capacity. */
  stableReplicas?: number;
  /** The analysis gates of the rollout in progress (from `--gate`/`--gates` or the workload's annotation); secret values are never here, only references. */
  gates?: GateSet;
  /** Where the analysis of the rollout in progress is. */
  analysis?: Analysis;
  /** Why the rollout is Paused when no person paused it: an inconclusive analysis (a driver with `--wait` exits 3). */
  pausedBy?: 'analysis';
  /** Oldest first; entries of kinds this version does not know are kept as stored. */
  history: StoredHistoryEntry[];
  updatedAt: string;
}

/** What `promote`, `pause`, `resume`, `abort` and `retry` ask of whoever drives the app. */
export interface ControlRequest {
  kind: 'promote' | 'promote-full' | 'pause' | 'resume' | 'abort' | 'retry' | 'undo' | 'set-weight';
  by: string;
  at: string;
  reason?: string;
  /** `undo`: the version to return to (default: the newest retained). */
  target?: string;
  /** `set-weight`: the weight to hold. */
  weight?: number;
}

/** The analysis of one rollout: the stages passed, the one being measured, the last one decided. */
export interface Analysis {
  passed: string[];
  current?: StageState;
  last?: StageState;
  /** The rollback webhooks were called (at most once per rollout). */
  rollbackNotified?: boolean;
}

/** Longest history kept in the ConfigMap. */
export const MAX_HISTORY = 50;

/** The default canary plan. */
export const DEFAULT_STEPS: Step[] = [{ kind: 'weight', weight: 10 }, { kind: 'weight', weight: 25 }, { kind: 'weight', weight: 50 }, { kind: 'weight', weight: 100 }];

/** Name of the state ConfigMap and of the Lease of `app`. */
export function stateName(app: string): string {
  return `switchyard.${app}`;
}

/** Parses `10,25,pause,50,pause:30s,100` into steps. Throws with a one-line message. */
export function parseSteps(text: string): Step[] {
  const steps: Step[] = [];
  for (const raw of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    if (raw === 'pause') {
      steps.push({ kind: 'pause' });
      continue;
    }
    const pause = /^pause:(.+)$/.exec(raw);
    if (pause !== null) {
      steps.push({ kind: 'pause', durationMs: parseDuration(pause[1]!) });
      continue;
    }
    const weight = Number(raw.replace(/%$/, ''));
    if (!Number.isInteger(weight) || weight < 0 || weight > 100) throw new Error(`invalid step "${raw}": use a weight 0-100, "pause" or "pause:<duration>"`);
    steps.push({ kind: 'weight', weight });
  }
  if (steps.length === 0) throw new Error('no steps given');
  return steps;
}

/** Parses `90s`, `10m`, `1h30m`, `500ms`, `0` into milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const match of trimmed.matchAll(re)) {
    if (match.index !== consumed) break;
    consumed += match[0].length;
    total += Number(match[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  }
  if (consumed !== trimmed.length || consumed === 0) throw new Error(`invalid duration "${text}": use e.g. 30s, 5m, 1h30m`);
  return Math.round(total);
}

/** Formats milliseconds like `1m30s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${s > 0 || (h === 0 && m === 0) ? `${s}s` : ''}`;
}

/**
 * Makes `version` the rollout in progress from its first step: a canary being replaced
 * is kept (to be scaled down), progress and messages are cleared.
 */
export function startRollout(state: RolloutState, version: string, steps: Step[], now: number): void {
  if (state.canary !== undefined && state.canary !== version) state.retained.unshift({ version: state.canary, scaleDownAt: new Date(now).toISOString(), aborted: true });
  state.canary = version;
  state.steps = steps;
  state.step = 0;
  state.weight = 0;
  state.phase = 'Progressing';
  state.startedAt = new Date(now).toISOString();
  delete state.stepStartedAt;
  delete state.pauseUntil;
  delete state.message;
  delete state.undo;
  delete state.analysis;
  delete state.gates;
  delete state.pausedBy;
}
