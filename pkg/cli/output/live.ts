import type { AppStatus } from '../../rollout/view.ts';
import { renderStatus } from './status.ts';
import type { StatusOptions } from './status.ts';
import { canAnimate, styleFor } from './style.ts';
import type { ColorSettings, Style, Terminal } from './style.ts';
import { displayWidth } from './table.ts';

/** Where a live view writes: a stream with `write`, and `isTTY`/`columns` on a terminal. */
export interface LiveStream extends Terminal {
  write(text: string): unknown;
}

/** Options of {@link LiveView}. The clock and timers are injected so tests need no sleeps. */
export interface LiveViewOptions extends ColorSettings {
  stream: LiveStream;
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Renders one frame, ending with a newline. Default: {@link renderStatus}. */
  render?: (view: AppStatus, style: Style, opts: StatusOptions) => string;
  /** Least time between two repaints, in milliseconds. Default: 200. */
  intervalMs?: number;
}

/** Moves the cursor up `rows` lines (to column 0 after a newline) and clears to the end of the screen. */
export function eraseRows(rows: number): string {
  return rows > 0 ? `\x1b[${rows}A\x1b[J` : '';
}

/** How many terminal rows `frame` (ending with a newline) takes when lines wrap at `columns`. */
export function frameRows(frame: string, columns: number): number {
  const lines = frame.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.reduce((rows, line) => rows + Math.max(1, Math.ceil(displayWidth(line) / columns)), 0);
}

/**
 * The view of `status -w` and `run --wait`. `update()` hands it the newest status;
 * it repaints at most once per `intervalMs` (the first update at once, later ones at
 * the end of the interval, the latest view winning).
 *
 * On a terminal that may animate ({@link canAnimate}) each repaint redraws the frame
 * in place: cursor up over the previous frame's rows (wrapped lines counted at the
 * stream's current width), clear, write. Otherwise frames are only appended, separated
 * by a blank line, and only when something meaningful changed (phase, versions, step,
 * weight, ready counts, gate results), so CI logs stay short. `close()` paints the
 * final view and leaves it on screen.
 */
export class LiveView {
  readonly #opts: LiveViewOptions;
  readonly #style: Style;
  readonly #animate: boolean;
  readonly #interval: number;
  #latest: AppStatus | undefined;
  #timer: { handle: unknown } | undefined;
  #lastPaint = -Infinity;
  #frame = '';
  #rows = 0;
  #key: string | undefined;
  #closed = false;

  constructor(opts: LiveViewOptions) {
    this.#opts = opts;
    this.#style = styleFor(opts.stream, opts);
    this.#animate = canAnimate(opts.stream, opts);
    this.#interval = opts.intervalMs ?? 200;
  }

  /** Whether frames are redrawn in place (true) or appended (false). */
  get animated(): boolean {
    return this.#animate;
  }

  /** Takes the newest status and paints it now or at the end of the current interval. Ignored after `close()`. */
  update(view: AppStatus): void {
    if (this.#closed) return;
    this.#latest = view;
    if (this.#timer !== undefined) return;
    const wait = this.#lastPaint + this.#interval - this.#opts.now();
    if (wait <= 0) {
      this.#paint();
      return;
    }
    const timer = { handle: undefined as unknown };
    this.#timer = timer;
    timer.handle = this.#opts.setTimeout(() => {
      if (this.#timer !== timer) return;
      this.#timer = undefined;
      this.#paint();
    }, wait);
  }

  /**
   * Runs `write` (a warning, say, on this or another stream of the same terminal)
   * with the animated frame removed, then draws the frame again below what it wrote.
   * Without animation it just runs `write`.
   */
  interrupt(write: () => void): void {
    if (!this.#animate || this.#rows === 0 || this.#closed) {
      write();
      return;
    }
    this.#opts.stream.write(eraseRows(this.#rows));
    this.#rows = 0;
    write();
    this.#opts.stream.write(this.#frame);
    this.#rows = frameRows(this.#frame, this.#columns());
  }

  /** Cancels a pending repaint, paints the latest view once more and stops. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) this.#opts.clearTimeout(this.#timer.handle);
    this.#timer = undefined;
    this.#paint();
  }

  #paint(): void {
    this.#lastPaint = this.#opts.now();
    const view = this.#latest;
    if (view === undefined) return;
    const render = this.#opts.render ?? renderStatus;
    const width = this.#opts.stream.columns;
    const frame = render(view, this.#style, width === undefined ? { now: this.#lastPaint } : { now: this.#lastPaint, width });
    if (this.#animate) {
      if (frame === this.#frame && this.#rows > 0) return;
      this.#opts.stream.write(eraseRows(this.#rows) + frame);
      this.#rows = frameRows(frame, this.#columns());
    } else {
      const key = significance(view);
      if (key === this.#key) return;
      this.#opts.stream.write(this.#key === undefined ? frame : `\n${frame}`);
      this.#key = key;
    }
    this.#frame = frame;
  }

  #columns(): number {
    const columns = this.#opts.stream.columns;
    return columns !== undefined && columns > 0 ? columns : 80;
  }
}

/** What a non-animated view prints a new frame for; messages, restarts and times are left out. */
function significance(view: AppStatus): string {
  return JSON.stringify([
    view.phase,
    view.stable,
    view.canary ?? null,
    view.weight,
    view.step.index,
    view.step.total,
    view.versions.map((v) => [v.version, v.role, v.weight, v.liveWeight ?? null, v.superseded === true, v.readyReplicas, v.replicas]),
    view.gates.map((g) => [g.name, g.ok]),
  ]);
}
