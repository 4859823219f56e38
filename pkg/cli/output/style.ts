import { Chalk } from 'chalk';
import type { ChalkInstance } from 'chalk';
import type { Phase } from '../../rollout/state.ts';

/** The part of an output stream that decides colour and animation. */
export interface Terminal {
  /** True when the stream is a terminal (Node sets it on TTY streams only). */
  isTTY?: boolean;
  /** Terminal width in columns, when known. */
  columns?: number;
}

/** What, besides the stream, decides colour: the environment and the `--no-color` flag. */
export interface ColorSettings {
  env: Readonly<Record<string, string | undefined>>;
  /** `--no-color` was given. Default: false. */
  noColor?: boolean;
}

/**
 * Whether to colour output written to `stream`, as kubectl's cli-runtime decides
 * (`printers.AllowsColorOutput`): only on a terminal, never with `TERM=dumb` or a
 * non-empty `NO_COLOR`. Then `--no-color` turns it off and `FORCE_COLOR` forces it
 * (`0` or `false` force it off), in that order of precedence: the flag, `FORCE_COLOR`,
 * `NO_COLOR`, `TERM`, the TTY check.
 */
export function colorEnabled(stream: Terminal, settings: ColorSettings): boolean {
  if (settings.noColor === true) return false;
  const force = settings.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return plainTerminal(stream, settings);
}

/**
 * Whether a live view on `stream` may redraw in place: a terminal that is not `dumb`,
 * without `NO_COLOR` or `--no-color`. `FORCE_COLOR` does not enable animation: it
 * colours CI logs, which must still be append-only.
 */
export function canAnimate(stream: Terminal, settings: ColorSettings): boolean {
  return settings.noColor !== true && plainTerminal(stream, settings);
}

function plainTerminal(stream: Terminal, settings: ColorSettings): boolean {
  const noColor = settings.env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  if (settings.env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/**
 * How the human views look. With colour off every function returns its text
 * unchanged and every symbol is ASCII, so output is plain text that pipes and greps.
 */
export interface Style {
  /** Whether this style emits ANSI escapes (and the human tables draw borders). */
  readonly color: boolean;
  /** `text` (default: the phase's name) in the phase's colour. */
  phase(phase: Phase, text?: string): string;
  /** Green: healthy, passed, fully ready. */
  good(text: string): string;
  /** Red: degraded, failed, nothing ready. */
  bad(text: string): string;
  /** Yellow: paused, partly ready. */
  warn(text: string): string;
  /** Cyan: the canary's share of traffic. */
  accent(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
  /** Symbols; Unicode with colour on, ASCII with colour off. */
  readonly symbols: Readonly<{ ok: string; fail: string; arrow: string; barFull: string; barEmpty: string }>;
  /** A symbol shown before each phase's name; empty with colour off. */
  readonly phaseSymbols: Readonly<Record<Phase, string>>;
}

/** A style with colour on or off. Colour uses the 16 basic ANSI colours only. */
export function createStyle(color: boolean): Style {
  const chalk: ChalkInstance = new Chalk({ level: color ? 1 : 0 });
  const paint: Record<Phase, ChalkInstance> = { Healthy: chalk.green, Progressing: chalk.cyan, Paused: chalk.yellow, Degraded: chalk.red };
  return {
    color,
    phase: (phase, text = phase) => paint[phase](text),
    good: (text) => chalk.green(text),
    bad: (text) => chalk.red(text),
    warn: (text) => chalk.yellow(text),
    accent: (text) => chalk.cyan(text),
    dim: (text) => chalk.dim(text),
    bold: (text) => chalk.bold(text),
    symbols: color
      ? { ok: '✔', fail: '✖', arrow: '→', barFull: '█', barEmpty: '░' }
      : { ok: 'ok', fail: 'FAIL', arrow: '->', barFull: '#', barEmpty: '.' },
    phaseSymbols: color ? { Healthy: '✔', Progressing: '◌', Paused: '‖', Degraded: '✖' } : { Healthy: '', Progressing: '', Paused: '', Degraded: '' },
  };
}

/** The style for output written to `stream`: `createStyle(colorEnabled(stream, settings))`. */
export function styleFor(stream: Terminal, settings: ColorSettings): Style {
  return createStyle(colorEnabled(stream, settings));
}
