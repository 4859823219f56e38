import type { AppStatus } from '../../rollout/view.ts';
import type { Style } from './style.ts';
import { canaryWeight } from './status.ts';
import { clean, NONE, percent, readyCell, renderTable } from './table.ts';

/** Options of {@link renderList}. */
export interface ListOptions {
  /** Add a NAMESPACE column first, as `kubectl get -A` does. */
  allNamespaces: boolean;
}

/**
 * One line per app: (NAMESPACE,) (RELEASE,) NAME, PHASE, STABLE, CANARY, WEIGHT, STEP, READY,
 * sorted by namespace, then Helm release (the apps of one release together), then name.
 * RELEASE appears when any app belongs to a Helm release. WEIGHT is what the live routes give the canary, with
 * the share of any superseded version that still receives traffic. READY counts the pods of the versions that serve
 * or are about to (stable, canary, preview), not retained ones.
 *
 * An empty list renders as the empty string: like `kubectl get`, the command writes
 * nothing to stdout and {@link noRolloutsFound} to stderr, so scripts that read
 * stdout see no rows rather than a sentence.
 */
export function renderList(views: readonly AppStatus[], style: Style, opts: ListOptions): string {
  if (views.length === 0) return '';
  const sorted = sortViews(views);
  const releases = views.some((v) => v.release !== undefined);
  const head = [...(releases ? ['RELEASE'] : []), 'NAME', 'PHASE', 'STABLE', 'CANARY', 'WEIGHT', 'STEP', 'READY'];
  const rows = sorted.map((view) => {
    const row = [
      ...(releases ? [view.release === undefined ? NONE : clean(view.release)] : []),
      clean(view.app),
      style.phase(view.phase),
      clean(view.stable),
      view.canary === undefined ? NONE : clean(view.canary),
      weight(view, style),
      view.step.total > 0 ? `${view.step.index}/${view.step.total}` : NONE,
      serving(view, style),
    ];
    return opts.allNamespaces ? [clean(view.namespace), ...row] : row;
  });
  return renderTable(opts.allNamespaces ? ['NAMESPACE', ...head] : head, rows, style);
}

/**
 * The line for stderr when a list is empty: `No rollouts found.` across all
 * namespaces (or when no namespace is given), else `No rollouts found in namespace X.`
 * Ends with a newline.
 */
export function noRolloutsFound(opts: { allNamespaces: boolean; namespace?: string }): string {
  if (opts.allNamespaces || opts.namespace === undefined) return 'No rollouts found.\n';
  return `No rollouts found in namespace ${clean(opts.namespace)}.\n`;
}

/** The canary's live weight, and what a superseded version still receives (`0% (2.0.0 superseded: 20%)`). */
function weight(view: AppStatus, style: Style): string {
  const superseded = view.versions.filter((v) => v.superseded === true).map((v) => `${clean(v.version)} superseded: ${percent(v.liveWeight ?? 0)}`);
  const main = view.canary === undefined ? NONE : percent(canaryWeight(view));
  return superseded.length === 0 ? main : `${main} ${style.warn(`(${superseded.join(', ')})`)}`;
}

function serving(view: AppStatus, style: Style): string {
  let ready = 0;
  let replicas = 0;
  for (const v of view.versions) {
    if (v.role === 'retained') continue;
    ready += v.readyReplicas;
    replicas += v.replicas;
  }
  return readyCell(ready, replicas, style);
}
/** `views` sorted by namespace, then release, then name, in code-point order (independent of the locale). */
export function sortViews(views: readonly AppStatus[]): AppStatus[] {
  return [...views].sort((a, b) => compare(a.namespace, b.namespace) || compare(a.release ?? '', b.release ?? '') || compare(a.app, b.app));
}

/** Code-point order, so the listing does not depend on the locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
