import type { HistoryView } from '../../rollout/view.ts';
import type { Style } from './style.ts';
import { clean, NONE, percent, renderTable } from './table.ts';

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
    e.version === undefined ? NONE : clean(e.version),
    e.weight === undefined ? NONE : percent(e.weight),
    clean(e.message) || NONE,
  ]);
  return renderTable(['TIME', 'EVENT', 'VERSION', 'WEIGHT', 'MESSAGE'], rows, style);
}

/** The stderr line for an app without history. Ends with a newline. */
export function noHistoryFound(view: HistoryView): string {
  return `No history for rollout ${clean(view.app)} in namespace ${clean(view.namespace)}.\n`;
}

function time(at: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return clean(at);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
