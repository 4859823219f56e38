import type { Argv } from 'yargs';
import type { Strategy } from '../../render/index.ts';
import type { RunOptions } from '../../rollout/actions.ts';
import { parseDuration, parseSteps } from '../../rollout/state.ts';
import { readFileSync } from 'node:fs';
import { gatesFromFlags } from '../../analysis/sources.ts';
import { FLAVOURS } from '../../analysis/spec.ts';
import type { MetricsFlavour } from '../../analysis/spec.ts';
import { UsageError } from '../exit-codes.ts';

/** Flags of the commands that drive a rollout. */
export interface DriveArgs {
  wait?: boolean;
  timeout?: string;
  steps?: string;
  'progress-deadline': string;
  'max-restarts': number;
  'scale-down-delay': string;
  'wait-scale-down': boolean;
  keep: number;
  force: boolean;
  gate?: string[];
  gates?: string;
  prometheus?: string;
  metrics?: string;
}

/** Adds the flags of commands that drive a rollout; `waitDefault` differs per command. */
export function driveFlags<T>(y: Argv<T>, waitDefault: boolean, strategy: Strategy = 'canary'): Argv<T & DriveArgs> {
  const bluegreen = strategy === 'bluegreen';
  const out = y
    .option('wait', { type: 'boolean', default: waitDefault, describe: 'Wait through readiness, pauses and delays until the rollout ends (--no-wait: do what needs no waiting, then return)' })
    .option('timeout', { type: 'string', describe: 'With --wait, give up after this long (exit 3), e.g. 10m' })
    .option('progress-deadline', { type: 'string', default: '10m', describe: 'How long a step may wait for the new version to become ready before rolling back' })
    .option('max-restarts', { type: 'number', default: 3, describe: 'Container restarts plus failed pods of the new version tolerated before rolling back' })
    .option('scale-down-delay', { type: 'string', default: '30s', describe: bluegreen ? 'How long the previous version stays at full size after a switch (0: keep it hot for an instant rollback)' : 'How long the previous stable version stays at full size after promotion (0: scale it down at once)' })
    .option('wait-scale-down', { type: 'boolean', default: false, describe: 'With --wait, also wait out the scale-down delay of the previous version (default: return once traffic has moved; the next command of the app scales it down when due)' })
    .option('keep', { type: 'number', default: 2, describe: bluegreen ? 'How many versions stay live, the active one included (2: n and n+1); older ones are retired once n+1 is active' : 'How many previous versions are kept (scaled down) for rollback; older ones are retired' })
    .option('force', { type: 'boolean', default: false, describe: 'Take over the lease of another driver that is gone' })
    .option('gate', { type: 'string', array: true, describe: 'An analysis gate, e.g. "request-success-rate >= 99%; interval=30s; count=4" or "query=<PromQL>; condition=< 0.01" or "webhook=https://…" (repeatable; docs/analysis.md)' })
    .option('gates', { type: 'string', describe: 'A gates file (YAML; docs/analysis.md). Default: the workload\'s switchyard.dev/gates annotation' })
    .option('prometheus', { type: 'string', describe: 'Where the metric gates query: http(s)://host:port, or service/<namespace>/<name>:<port> through the API server\'s service proxy' })
    .option('metrics', { type: 'string', choices: [...FLAVOURS], describe: 'Whose metric names the builtin checks use (default: the app\'s router; a Gateway is taken to be Traefik)' });
  if (bluegreen) return out as unknown as Argv<T & DriveArgs>;
  return out.option('steps', { type: 'string', describe: 'Canary plan for a new rollout: weights and pauses, e.g. 10,25,pause:1m,50,pause,100 (default: the workload\'s switchyard.dev/steps annotation, else 10,25,50,100)' }) as unknown as Argv<T & DriveArgs>;
}

/** Turns flags into engine options. */
export function runOptions(args: DriveArgs, strategy: Strategy): RunOptions {
  const options: RunOptions = {
    wait: args.wait ?? true,
    progressDeadlineMs: duration(args['progress-deadline'], '--progress-deadline'),
    maxRestarts: args['max-restarts'],
    scaleDownDelayMs: duration(args['scale-down-delay'], '--scale-down-delay'),
    waitScaleDown: args['wait-scale-down'] === true,
    keep: args.keep,
    force: args.force,
    settings: { strategy },
  };
  if (!Number.isInteger(args.keep) || args.keep < 0) throw new UsageError('--keep must be a whole number, 0 or more');
  if (args.timeout !== undefined) options.timeoutMs = duration(args.timeout, '--timeout');
  const gates = gateArgs(args);
  if (gates !== undefined) options.gates = gates;
  if (args.steps !== undefined) {
    try {
      options.settings.steps = parseSteps(args.steps);
    } catch (err) {
      throw new UsageError(`--steps: ${(err as Error).message}`);
    }
  }
  return options;
}

function duration(text: string, flag: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new UsageError(`${flag}: ${(err as Error).message}`);
  }
}

/** The gates of `--gates` and `--gate`, validated; a bad one is a usage error (exit 2) naming the line. */
function gateArgs(args: DriveArgs): RunOptions['gates'] {
  let file: { text: string; origin: string } | undefined;
  if (args.gates !== undefined) {
    try {
      file = { text: readFileSync(args.gates, 'utf8'), origin: args.gates };
    } catch (err) {
      throw new UsageError(`--gates: cannot read ${args.gates}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  try {
    const input: Parameters<typeof gatesFromFlags>[0] = { flags: (args.gate ?? []).map(String) };
    if (file !== undefined) input.file = file;
    if (args.prometheus !== undefined) input.prometheus = args.prometheus;
    if (args.metrics !== undefined) input.metrics = args.metrics as MetricsFlavour;
    return gatesFromFlags(input);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
