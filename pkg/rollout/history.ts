/**
 * The transitions the engine records, as a union keyed on `event`. Every entry also
 * keeps `message` (one line for people, also the Kubernetes Event's message) and, where
 * it applies, `version` and `weight`, so states written by older switchyards read the
 * same. Entries this version does not know (older or newer kinds, or a kind with fields
 * missing) are kept as they are ({@link UnknownHistoryEntry}) and shown by their message.
 */

/** Why a rollout paused: a pause step, a blue-green preview waiting for `switch`, an inconclusive analysis, or `pause`. */
export type PauseCause = 'step' | 'preview' | 'analysis' | 'request';

/** What happened, without the time and the message. */
export type HistoryEvent =
  | { event: 'Adopted'; version: string }
  | { event: 'RolloutStarted'; version: string; stable: string; steps: number }
  | { event: 'WeightSet'; version: string; weight: number; step: number; steps: number }
  | { event: 'Scaled'; version: string; replicas: number }
  | { event: 'Pausing'; version: string; weight: number; durationMs: number }
  | { event: 'Paused'; version?: string; weight: number; cause: PauseCause; step?: number; steps?: number; by?: string; reason?: string }
  | { event: 'Promoted'; version: string; previous: string; weight: number }
  | { event: 'ScaledDown'; version: string }
  | { event: 'Retired'; version: string; keep: number }
  | { event: 'Aborted'; version?: string; weight: number; stable: string; reason: string }
  | { event: 'UndoRefused'; version: string; weight: number; stable: string; reason: string }
  | { event: 'TrafficRestored'; version: string; selected: string }
  | { event: 'TrafficReturned'; version: string; weight: number; stable: string }
  | { event: 'CanaryGone'; version: string; stable: string }
  | { event: 'Promote'; version?: string; weight: number; by: string; full: boolean }
  | { event: 'Resumed'; version?: string; weight: number; by: string }
  | { event: 'Retry'; version?: string; weight: number; by: string }
  | { event: 'Undo'; version: string; from: string; by: string }
  | { event: 'SetWeight'; version?: string; weight: number; by: string }
  | { event: 'AnalysisStarted'; version?: string; weight: number; stage: string; gates: string[] }
  | { event: 'AnalysisPassed'; version?: string; weight: number; stage: string; detail: string }
  | { event: 'AnalysisFailed'; version?: string; weight: number; stage: string; detail: string }
  | { event: 'AnalysisInconclusive'; version?: string; weight: number; stage: string; detail: string };

/** Every kind of transition this version records. */
export type HistoryKind = HistoryEvent['event'];

/** The event of kind `K`. */
export type EventOf<K extends HistoryKind> = Extract<HistoryEvent, { event: K }>;

/** A recorded transition this version knows: the event, when (ISO) and one line for people. */
export type HistoryEntry = HistoryEvent & { at: string; message: string };

/** An entry of kind `K`. */
export type EntryOf<K extends HistoryKind> = EventOf<K> & { at: string; message: string };

/** An entry of a kind this version does not know, kept and shown as stored. */
export interface UnknownHistoryEntry {
  at: string;
  event: string;
  message: string;
  version?: string;
  weight?: number;
  [field: string]: unknown;
}

/** What the state's history holds. */
export type StoredHistoryEntry = HistoryEntry | UnknownHistoryEntry;

type FieldType = 'string' | 'number' | 'boolean' | 'strings' | 'string?' | 'number?';

interface KindSpec<K extends HistoryKind> {
  /** The Kubernetes Event type. */
  type: 'Normal' | 'Warning';
  /** The type of every field but `event`, so a stored entry can be checked before it is trusted. */
  fields: { [F in Exclude<keyof EventOf<K>, 'event'>]-?: FieldType };
}

const v = 'string';
const vOpt = 'string?';

/** Every kind with its Event type and fields (typed over every kind: a new kind needs a line here). */
export const HISTORY_KINDS: { [K in HistoryKind]: KindSpec<K> } = {
  Adopted: { type: 'Normal', fields: { version: v } },
  RolloutStarted: { type: 'Normal', fields: { version: v, stable: v, steps: 'number' } },
  WeightSet: { type: 'Normal', fields: { version: v, weight: 'number', step: 'number', steps: 'number' } },
  Scaled: { type: 'Normal', fields: { version: v, replicas: 'number' } },
  Pausing: { type: 'Normal', fields: { version: v, weight: 'number', durationMs: 'number' } },
  Paused: { type: 'Normal', fields: { version: vOpt, weight: 'number', cause: v, step: 'number?', steps: 'number?', by: vOpt, reason: vOpt } },
  Promoted: { type: 'Normal', fields: { version: v, previous: v, weight: 'number' } },
  ScaledDown: { type: 'Normal', fields: { version: v } },
  Retired: { type: 'Normal', fields: { version: v, keep: 'number' } },
  Aborted: { type: 'Warning', fields: { version: vOpt, weight: 'number', stable: v, reason: v } },
  UndoRefused: { type: 'Warning', fields: { version: v, weight: 'number', stable: v, reason: v } },
  TrafficRestored: { type: 'Warning', fields: { version: v, selected: v } },
  TrafficReturned: { type: 'Normal', fields: { version: v, weight: 'number', stable: v } },
  CanaryGone: { type: 'Normal', fields: { version: v, stable: v } },
  Promote: { type: 'Normal', fields: { version: vOpt, weight: 'number', by: v, full: 'boolean' } },
  Resumed: { type: 'Normal', fields: { version: vOpt, weight: 'number', by: v } },
  Retry: { type: 'Normal', fields: { version: vOpt, weight: 'number', by: v } },
  Undo: { type: 'Normal', fields: { version: v, from: v, by: v } },
  SetWeight: { type: 'Normal', fields: { version: vOpt, weight: 'number', by: v } },
  AnalysisStarted: { type: 'Normal', fields: { version: vOpt, weight: 'number', stage: v, gates: 'strings' } },
  AnalysisPassed: { type: 'Normal', fields: { version: vOpt, weight: 'number', stage: v, detail: v } },
  AnalysisFailed: { type: 'Normal', fields: { version: vOpt, weight: 'number', stage: v, detail: v } },
  AnalysisInconclusive: { type: 'Normal', fields: { version: vOpt, weight: 'number', stage: v, detail: v } },
};

const PAUSE_CAUSES: ReadonlySet<string> = new Set<PauseCause>(['step', 'preview', 'analysis', 'request']);

/**
 * Whether a stored entry is one this version knows: its kind is known and every field
 * has the type that kind declares. An entry written before a field existed is not (it is
 * shown as stored).
 */
export function isKnownEntry(entry: StoredHistoryEntry): entry is HistoryEntry {
  if (typeof entry.at !== 'string' || typeof entry.message !== 'string') return false;
  if (!Object.hasOwn(HISTORY_KINDS, entry.event)) return false;
  const spec = HISTORY_KINDS[entry.event as HistoryKind] as KindSpec<HistoryKind>;
  const record = entry as Record<string, unknown>;
  for (const [field, type] of Object.entries(spec.fields) as [string, FieldType][]) {
    const value = record[field];
    const ok =
      type === 'strings'
        ? Array.isArray(value) && value.every((s) => typeof s === 'string')
        : type.endsWith('?')
          ? value === undefined || typeof value === type.slice(0, -1)
          : typeof value === type;
    if (!ok) return false;
  }
  return entry.event !== 'Paused' || PAUSE_CAUSES.has(record.cause as string);
}

/** The Kubernetes Event type of an entry: `Warning` for rollbacks and traffic moved outside switchyard. */
export function eventType(entry: StoredHistoryEntry): 'Normal' | 'Warning' {
  return isKnownEntry(entry) ? HISTORY_KINDS[entry.event].type : 'Normal';
}

/** Reads the history of a parsed state: anything that is not an object with a string `event` is dropped. */
export function parseHistory(raw: unknown): StoredHistoryEntry[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((e): e is StoredHistoryEntry => typeof e === 'object' && e !== null && typeof (e as { event?: unknown }).event === 'string')
    .map((e) => (typeof e.message === 'string' ? e : { ...e, message: '' }));
}
