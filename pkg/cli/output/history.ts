import { isKnownEntry } from '../../rollout/history.ts';
import type { EntryOf, HistoryKind, StoredHistoryEntry } from '../../rollout/history.ts';
import { formatDuration } from '../../rollout/state.ts';
import type { HistoryView } from '../../rollout/view.ts';
import type { Style } from './style.ts';
import { clean, NONE, percent, renderTable } from './table.ts';

type Formatters = { [K in HistoryKind]: (e: EntryOf<K>) => string };

const by = (who: string): string => `by ${who}`;
const step = (e: { step?: number; steps?: number }): string => (e.step === undefined || e.steps === undefined ? '' : ` at step ${e.step}/${e.steps}`);

/**
 * One line per kind of transition, from its typed fields (typed over every kind: a kind
 * without a line here does not compile).
 */
export const HISTORY_FORMAT: Formatters = {
  Adopted: (e) => `switchyard took over with ${e.version} stable`,
  RolloutStarted: (e) => `rolling out ${e.version} (stable ${e.stable}) in ${e.steps} steps`,
  WeightSet: (e) => `${e.version} receives ${e.weight}% of traffic (step ${e.step}/${e.steps})`,
  Scaled: (e) => `${e.version} scaled to ${e.replicas} replicas`,
  Pausing: (e) => `pausing ${formatDuration(e.durationMs)} at ${e.weight}%`,
  Paused: (e) => {
    switch (e.cause) {
      case 'step':
        return `paused${step(e)}: "promote" or "resume" continues`;
      case 'preview':
        return `${e.version ?? 'the preview'} is ready as the preview: "switch" makes it active`;
      case 'analysis':
        return `paused: ${e.reason ?? 'analysis inconclusive'}; "resume" measures again, "promote" skips the stage, "abort" rolls back`;
      case 'request':
        return `paused ${by(e.by ?? 'someone')}`;
    }
  },
  Promoted: (e) => `${e.version} is stable; ${e.previous} is retained for rollback`,
  ScaledDown: (e) => `${e.version} scaled down (kept for rollback)`,
  Retired: (e) => `${e.version} retired (more than ${e.keep} kept)`,
  Aborted: (e) => `rolled back to ${e.stable}: ${e.reason}`,
  UndoRefused: (e) => `stayed on ${e.stable}: ${e.version} is not ready (${e.reason})`,
  TrafficRestored: (e) => `the stable Service selected ${e.selected} (changed outside switchyard); traffic is back on ${e.version}`,
  TrafficReturned: (e) => `${e.version} was superseded holding ${e.weight}% of traffic; that share is back on ${e.stable}`,
  CanaryGone: (e) => `${e.version} no longer exists; ${e.stable} serves everything`,
  Promote: (e) => (e.full ? `promoting ${e.version ?? 'the canary'} now, skipping the remaining steps, ${by(e.by)}` : `skipped to the next step ${by(e.by)}`),
  Resumed: (e) => `resumed ${by(e.by)}`,
  Retry: (e) => `retrying ${e.version ?? 'the canary'} from the first step ${by(e.by)}`,
  Undo: (e) => `rolling back from ${e.from} to ${e.version} ${by(e.by)}`,
  SetWeight: (e) => `holding ${e.version ?? 'the canary'} at ${e.weight}% until resumed ${by(e.by)}`,
  AnalysisStarted: (e) => `${e.stage}: measuring ${e.gates.join(', ')}`,
  AnalysisPassed: (e) => `${e.stage}: ${e.detail}`,
  AnalysisFailed: (e) => `${e.stage}: failed: ${e.detail}`,
  AnalysisInconclusive: (e) => `${e.stage}: inconclusive: ${e.detail}`,
};

/** The line for one entry: from its typed fields, or as stored for a kind this version does not know. */
export function historyMessage(entry: StoredHistoryEntry): string {
  if (!isKnownEntry(entry)) return entry.message;
  return formatKnown(entry);
}

function formatKnown<K extends HistoryKind>(entry: EntryOf<K>): string {
  return (HISTORY_FORMAT[entry.event as K] as (e: EntryOf<K>) => string)(entry);
}

/**
 * The transitions of one app, oldest first, as a table TIME, EVENT, VERSION, WEIGHT,
 * MESSAGE. TIME is UTC to the second (`2026-11-23T10:04:05Z`), so the output does not
 * depend on the machine's time zone; an unparseable time is shown as stored.
 *
 * No entries render as the empty string; the command writes {@link noHistoryFound}
 * to stderr instead, as `renderList` does for an empty list.
 */
export function renderHistory(view: HistoryView, style: Style): string {
  if (view.entries.length === 0) return '';
  const rows = view.entries.map((e) => [
    style.dim(time(e.at)),
    clean(e.event),
    typeof e.version === 'string' ? clean(e.version) : NONE,
    weightOf(e) === undefined ? NONE : percent(weightOf(e)!),
    clean(historyMessage(e)) || NONE,
  ]);
  return renderTable(['TIME', 'EVENT', 'VERSION', 'WEIGHT', 'MESSAGE'], rows, style);
}

/** The stderr line for an app without history. Ends with a newline. */
export function noHistoryFound(view: HistoryView): string {
  return `No history for rollout ${clean(view.app)} in namespace ${clean(view.namespace)}.\n`;
}

function weightOf(entry: StoredHistoryEntry): number | undefined {
  const weight = (entry as { weight?: unknown }).weight;
  return typeof weight === 'number' ? weight : undefined;
}

function time(at: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return clean(at);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
