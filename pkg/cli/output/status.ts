import { formatDuration } from '../../rollout/state.ts';
import type { AppStatus, CapacityStatus, GateStatus, VersionStatus } from '../../rollout/view.ts';
import type { Style } from './style.ts';
import { clean, displayWidth, NONE, percent, readyCell, renderTable } from './table.ts';

/** Options of {@link renderStatus}. */
export interface StatusOptions {
  /** Milliseconds since the epoch, for the elapsed time. */
  now: number;
  /** Terminal width in columns; narrows the weight bar to fit. Default: room for a 20-cell bar. */
  width?: number;
}

/** Width of the header labels (`Namespace:` plus two spaces), as in `kubectl describe`. */
const LABEL = 12;
const BAR_CELLS = 20;
const MIN_BAR_CELLS = 10;

/**
 * The human view of one app, like `kubectl argo rollouts get`: a header (name,
 * namespace, phase and its message, strategy, router, stable → canary, step,
 * elapsed time), a weight bar when there is a canary, a table of versions and
 * one of gate results. Ends with a newline.
 */
export function renderStatus(view: AppStatus, style: Style, opts: StatusOptions): string {
  const sections = [header(view, style, opts)];
  if (view.versions.length > 0) sections.push(versionTable(view.versions, style));
  if (view.gates.length > 0) sections.push(gateTable(view.gates, style));
  return sections.join('\n');
}

function header(view: AppStatus, style: Style, opts: StatusOptions): string {
  const lines: [string, string][] = [
    ['Name', clean(view.app)],
    ['Namespace', clean(view.namespace)],
    ['Phase', phaseText(view, style)],
    ['Strategy', view.strategy],
    ['Router', view.router],
    ['Versions', view.canary === undefined ? clean(view.stable) : `${clean(view.stable)} ${style.symbols.arrow} ${clean(view.canary)}`],
  ];
  if (view.step.total > 0) {
    const description = view.step.description === undefined ? '' : ` ${clean(view.step.description)}`;
    lines.push(['Step', `${view.step.index}/${view.step.total}${description}`]);
  }
  const started = view.startedAt === undefined ? NaN : Date.parse(view.startedAt);
  if (!Number.isNaN(started)) lines.push(['Elapsed', formatDuration(Math.max(0, opts.now - started))]);
  if (view.canary !== undefined) lines.push(['Traffic', weightBar(canaryWeight(view), clean(view.canary), style, opts.width)]);
  for (const v of view.versions.filter((s) => s.superseded === true)) {
    const then = view.canary === undefined ? '' : ` before it goes on with ${clean(view.canary)}`;
    lines.push(['Superseded', style.warn(`${clean(v.version)} still receives ${percent(v.liveWeight ?? 0)} of traffic; the next "run" moves it back to ${clean(view.stable)}${then}`)]);
  }
  if (view.capacity !== undefined) lines.push(['Capacity', capacityText(view.capacity)]);
  for (const d of view.scaleDowns ?? []) {
    const at = new Date(d.at);
    const when = Number.isNaN(at.getTime()) ? clean(d.at) : at.toISOString().slice(11, 19);
    lines.push(['Scale-down', `${clean(d.version)} hot until ${when} UTC (the next command of ${clean(view.app)} scales it down)`]);
  }
  return lines.map(([label, value]) => `${style.bold(`${label}:`.padEnd(LABEL))}${value}\n`).join('');
}

/** `2.0.0 scaled to 1 of 2 replicas for 50%`, with the HPA when one scales the stable version. */
export function capacityText(c: CapacityStatus): string {
  const version = clean(c.version);
  const sized = c.replicas === c.targetReplicas ? `${version} scaled to ${c.replicas} of ${c.stableReplicas} replicas` : `${version} has ${c.replicas}, scaling to ${c.targetReplicas} of ${c.stableReplicas} replicas`;
  const hpa = c.autoscaler === undefined ? '' : ` (stable scaled by HPA ${clean(c.autoscaler.name)}, at most ${c.autoscaler.maxReplicas})`;
  return `${sized} for ${percent(c.weight)}${hpa}`;
}

function phaseText(view: AppStatus, style: Style): string {
  const symbol = style.phaseSymbols[view.phase];
  const phase = style.phase(view.phase, symbol === '' ? view.phase : `${symbol} ${view.phase}`);
  const message = view.message === undefined ? '' : clean(view.message);
  return message === '' ? phase : `${phase} (${message})`;
}

/**
 * `[████████░░░░░░░░░░░░] 40% → 2.0.0` with colour, `[########............] 40% -> 2.0.0`
 * without. The filled part is the canary's weight; any weight above 0 fills at least
 * one cell and any below 100 leaves at least one empty.
 */
export function weightBar(weight: number, canary: string, style: Style, width?: number): string {
  const w = Math.min(100, Math.max(0, weight));
  const label = ` ${percent(w)} ${style.symbols.arrow} ${canary}`;
  const room = width === undefined ? BAR_CELLS : width - LABEL - 2 - displayWidth(label);
  const cells = Math.min(BAR_CELLS, Math.max(MIN_BAR_CELLS, room));
  let full = Math.round((w / 100) * cells);
  if (w > 0) full = Math.max(1, full);
  if (w < 100) full = Math.min(cells - 1, full);
  const bar = style.accent(style.symbols.barFull.repeat(full)) + style.dim(style.symbols.barEmpty.repeat(cells - full));
  return `[${bar}]${label}`;
}

/** The traffic the canary (or preview) really gets: what the live routes carry, else what is asked. */
export function canaryWeight(view: AppStatus): number {
  return view.versions.find((v) => v.version === view.canary)?.liveWeight ?? view.weight;
}

/** What a version receives live; what the state asks in brackets when that differs (a change under way, a superseded canary). */
export function weightCell(v: VersionStatus): string {
  const live = v.liveWeight ?? v.effectiveWeight;
  return live === undefined || live === v.weight ? percent(v.weight) : `${percent(live)} (${percent(v.weight)} asked)`;
}

function versionTable(versions: readonly VersionStatus[], style: Style): string {
  const rows = versions.map((v) => [
    clean(v.version),
    v.superseded === true ? style.warn(`${v.role}, superseded`) : v.role,
    weightCell(v),
    readyCell(v.readyReplicas, v.replicas, style),
    v.restarts === undefined ? NONE : restartsCell(v.restarts, style),
    v.source === undefined ? NONE : clean(v.source.replace('-', ' ')),
    clean(v.deployment),
  ]);
  return renderTable(['VERSION', 'ROLE', 'WEIGHT', 'READY', 'RESTARTS', 'NAMED BY', 'DEPLOYMENT'], rows, style);
}

function restartsCell(restarts: number, style: Style): string {
  return restarts > 0 ? style.warn(String(restarts)) : String(restarts);
}

function gateTable(gates: readonly GateStatus[], style: Style): string {
  const rows = gates.map((g) => [clean(g.name), g.ok ? style.good(style.symbols.ok) : style.bad(style.symbols.fail), clean(g.message) || NONE]);
  return renderTable(['GATE', 'RESULT', 'MESSAGE'], rows, style);
}
