import type { Argv } from 'yargs';
import type { HttpKube, KubeFlags } from '../kube/index.ts';
import { kubectlFlags, kubeFlagsFrom } from './kubectl-flags.ts';
import type { KubectlArgs } from './kubectl-flags.ts';
import type { EngineEvent } from '../rollout/engine.ts';
import { historyMessage, LiveView, parseOutputFormat, styleFor } from './output/index.ts';
import type { OutputFormat, Style } from './output/index.ts';
import type { Io } from './io.ts';
import { UsageError } from './exit-codes.ts';

/** The flags every kubectl plugin command takes (defined once): kubectl's global flags and the output flags. */
export interface GlobalArgs extends KubectlArgs {
  output?: string;
  'no-color'?: boolean;
  color?: boolean;
}

/** Adds every kubectl global flag and the output flags. */
export function globalFlags<T>(y: Argv<T>): Argv<T & GlobalArgs> {
  return kubectlFlags(y)
    .option('output', { alias: 'o', type: 'string', describe: 'Output format: json, yaml or name (default: human-readable)', global: true })
    .option('color', { type: 'boolean', default: true, describe: 'Colour output on a terminal (--no-color to disable; NO_COLOR is honoured)', global: true }) as unknown as Argv<T & GlobalArgs>;
}

/** What a command needs: streams, flags, a lazily connected client, styling. */
export class CommandContext {
  readonly io: Io;
  readonly args: GlobalArgs;
  readonly binary: string;
  #kube: Promise<HttpKube> | undefined;

  constructor(io: Io, args: GlobalArgs, binary: string) {
    this.io = io;
    this.args = args;
    this.binary = binary;
  }

  /** The client, connected on first use (so --help never loads client-node). */
  kube(): Promise<HttpKube> {
    this.#kube ??= (async () => (await import('../kube/open.ts')).openKube(this.kubeFlags()))();
    return this.#kube;
  }

  async namespace(): Promise<string> {
    return (await this.kube()).namespace;
  }

  /** The connection flags for the kube layer; a usage error for a combination kubectl refuses. */
  kubeFlags(): KubeFlags {
    return kubeFlagsFrom(this.args);
  }

  /** The `-o` format, or undefined for the human view. */
  format(): OutputFormat | undefined {
    if (this.args.output === undefined || this.args.output === '') return undefined;
    try {
      return parseOutputFormat(this.args.output);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }

  style(): Style {
    return styleFor(this.io.stdout, { env: this.io.env, noColor: this.args.color === false });
  }

  /** Writes a result to stdout. */
  out(text: string): void {
    this.io.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  }

  /** Writes progress or a note to stderr. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  /** An engine event sink: history lines on stderr, and the live view when `live` is set. */
  engineSink(live: LiveView | undefined): (event: EngineEvent) => void {
    return (event) => {
      if (event.kind === 'history') {
        const line = `${event.entry.at.slice(11, 19)}  ${event.app === undefined ? '' : `${event.app}  `}${event.entry.event.padEnd(14)} ${historyMessage(event.entry)}`;
        if (live !== undefined) live.interrupt(() => this.note(line));
        else this.note(line);
      } else {
        live?.update(event.view);
      }
    };
  }

  /**
   * A live view: on stdout for `status -w` (the result), on stderr for `run --wait`
   * (progress). On a terminal it repaints the latest view every second, so the elapsed
   * time keeps counting while the engine waits.
   */
  liveView(on: 'stdout' | 'stderr' = 'stdout'): LiveView {
    const view = new LiveView({ stream: on === 'stdout' ? this.io.stdout : this.io.stderr, env: this.io.env, noColor: this.args.color === false, now: () => this.io.now(), setTimeout: (cb, ms) => setTimeout(cb, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) });
    if (!view.animated) return view;
    let latest: Parameters<LiveView['update']>[0] | undefined;
    const tick = setInterval(() => {
      if (latest !== undefined) view.update(latest);
    }, 1000);
    tick.unref();
    const update = view.update.bind(view);
    const close = view.close.bind(view);
    view.update = (v) => {
      latest = v;
      update(v);
    };
    view.close = () => {
      clearInterval(tick);
      close();
    };
    return view;
  }

  close(): void {
    void this.#kube?.then((k) => k.close()).catch(() => undefined);
  }
}
