import { stringify } from 'yaml';
import type { AppStatus, HistoryView } from '../../rollout/view.ts';
import { UsageError } from '../exit-codes.ts';
import { sortViews } from './list.ts';

/** The machine-readable formats of `-o/--output`, in the order kubectl lists them. */
export const outputFormats = ['json', 'name', 'yaml'] as const;

/** A machine-readable output format. */
export type OutputFormat = (typeof outputFormats)[number];

/** The `apiVersion` of every structured document. */
export const API_VERSION = 'switchyard.dev/v1';

/** What `-o json|yaml` prints for one app, a list of apps, and a history. */
export type RolloutStatusDocument = { apiVersion: typeof API_VERSION; kind: 'RolloutStatus' } & AppStatus;
export type RolloutStatusListDocument = { apiVersion: typeof API_VERSION; kind: 'RolloutStatusList'; items: RolloutStatusDocument[] };
export type RolloutHistoryDocument = { apiVersion: typeof API_VERSION; kind: 'RolloutHistory' } & HistoryView;

/** Whether `text` names a format of {@link outputFormats}. */
export function isOutputFormat(text: string): text is OutputFormat {
  return (outputFormats as readonly string[]).includes(text);
}

/**
 * Checks the value of `-o/--output`; call it while parsing flags, before any cluster
 * call. Throws a {@link UsageError} worded as kubectl's: `unable to match a printer
 * suitable for the output format "x", allowed formats are: json,name,yaml`.
 */
export function parseOutputFormat(text: string): OutputFormat {
  if (isOutputFormat(text)) return text;
  throw new UsageError(`unable to match a printer suitable for the output format ${JSON.stringify(text)}, allowed formats are: ${outputFormats.join(',')}`);
}

/**
 * One status, a list of statuses or a history as a document for stdout, ending with a
 * newline. `json`: two-space indented. `yaml`: the same document, quoted so that YAML 1.1
 * and 1.2 readers agree (`"2026-11-23T10:04:05Z"`, `"1.0"`). `name`:
 * `rollout.switchyard.dev/<app>`, one line per app, as `kubectl get -o name`.
 * Lists are sorted by namespace, then name, as `renderList` sorts them. Fields come in a
 * fixed order (that of view.ts); fields the view gains later follow them.
 * Throws like {@link parseOutputFormat} when `format` is not one of {@link outputFormats}.
 */
export function formatOutput(format: OutputFormat, value: AppStatus | readonly AppStatus[] | HistoryView): string {
  const checked = parseOutputFormat(format);
  if (checked === 'name') return names(value).map((app) => `rollout.switchyard.dev/${app}\n`).join('');
  const doc = toDocument(value);
  return checked === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : stringify(doc, { lineWidth: 0, version: '1.1' });
}

/** The document `-o json|yaml` prints for `value`. */
export function toDocument(value: AppStatus | readonly AppStatus[] | HistoryView): RolloutStatusDocument | RolloutStatusListDocument | RolloutHistoryDocument {
  if (isList(value)) return { apiVersion: API_VERSION, kind: 'RolloutStatusList', items: sortViews(value).map(statusDocument) };
  if (isHistory(value)) {
    const entries = value.entries.map((e) => ordered(e, ['at', 'event', 'message', 'version', 'weight']));
    return ordered({ apiVersion: API_VERSION, kind: 'RolloutHistory', ...value, entries }, ['apiVersion', 'kind', 'app', 'namespace', 'entries']);
  }
  return statusDocument(value);
}

const STATUS_KEYS = ['apiVersion', 'kind', 'app', 'namespace', 'phase', 'strategy', 'router', 'stable', 'canary', 'weight', 'step', 'message', 'versions', 'gates', 'startedAt', 'updatedAt', 'scaleDowns'];

function statusDocument(view: AppStatus): RolloutStatusDocument {
  return ordered(
    {
      apiVersion: API_VERSION,
      kind: 'RolloutStatus',
      ...view,
      step: ordered(view.step, ['index', 'total', 'description']),
      versions: view.versions.map((v) => ordered(v, ['version', 'role', 'deployment', 'replicas', 'readyReplicas', 'weight', 'effectiveWeight', 'restarts', 'source'])),
      gates: view.gates.map((g) => ordered(g, ['name', 'ok', 'message'])),
    },
    STATUS_KEYS,
  );
}

/** A copy of `value` with `keys` first in that order, then any other keys; undefined values dropped. */
function ordered<T extends object>(value: T, keys: readonly string[]): T {
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of [...keys, ...Object.keys(source).filter((k) => !keys.includes(k))]) {
    if (source[key] !== undefined) out[key] = source[key];
  }
  return out as T;
}

function names(value: AppStatus | readonly AppStatus[] | HistoryView): string[] {
  return isList(value) ? sortViews(value).map((v) => v.app) : [value.app];
}

function isList(value: AppStatus | readonly AppStatus[] | HistoryView): value is readonly AppStatus[] {
  return Array.isArray(value);
}

function isHistory(value: AppStatus | HistoryView): value is HistoryView {
  return 'entries' in value && Array.isArray(value.entries);
}
