import { readFileSync } from 'node:fs';
import type { KubeFlags } from '../kube/index.ts';
import { parseRequestTimeout } from '../kube/config.ts';
import type { RenderOptions } from '../render/index.ts';
import type { RouterName } from '../route/index.ts';
import { routerNames } from '../route/index.ts';
import { postRender } from '../rollout/post-render.ts';
import type { StateSource } from '../rollout/post-render.ts';
import { EXIT, exitCodeFor, oneLine, UsageError } from './exit-codes.ts';
import { flagHelp, parseFlags } from './flags.ts';
import type { FlagSpecs } from './flags.ts';
import { helmParent, lastErrorPath, saveLastError, writeToHelmStderr, writeToTerminal } from './helm-parent.ts';
import type { Io } from './io.ts';
import { readInput, writeError, writeOutput } from './io.ts';
import { toolVersion } from './version.ts';
import { WORKLOAD_OPTIONS, workloadOptions } from './render-flags.ts';
import type { WorkloadArgs } from './render-flags.ts';

const NAME = 'switchyard-postrender';
const MAX_INPUT = 256 * 1024 * 1024;

interface Args extends WorkloadArgs {
  strategy: 'canary' | 'bluegreen';
  router?: RouterName;
  header: string;
  offline: boolean;
  'stable-version'?: string;
  namespace?: string;
  'kube-context'?: string;
  kubeconfig?: string;
  'request-timeout'?: string;
  'version-info': boolean;
  'last-error': boolean;
  help?: boolean;
}

/**
 * The Helm post-renderer: the whole manifest on stdin, the transformed manifest on
 * stdout. On any error nothing is written to stdout, the exit code is non-zero and a
 * one-line reason goes to stderr — and, under Helm 4 (which hides a plugin's stderr), to
 * the stderr of the Helm process itself.
 */
export async function runPostRenderer(argv: string[], io: Io): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    return fail(io, err);
  }
  if (args.help === true) {
    await writeOutput(io, flagHelp(USAGE, FLAGS));
    return EXIT.ok;
  }
  if (args['last-error']) {
    try {
      await writeOutput(io, readFileSync(lastErrorPath(io.env), 'utf8'));
      return EXIT.ok;
    } catch {
      writeError(io, `${NAME}: no failure recorded (${lastErrorPath(io.env)})\n`);
      return EXIT.failed;
    }
  }
  if (args['version-info']) {
    await writeOutput(io, `${NAME} ${toolVersion()}\n`);
    return EXIT.ok;
  }
  try {
    // Bytes, not text: the manifest layer decodes them strictly (a byte that is not UTF-8 is
    // an error, not U+FFFD), and the documents left as they were are written as those bytes.
    const input = readInput(io, MAX_INPUT);
    input.catch(() => undefined); // awaited by postRender; this only keeps an early failure from going unhandled
    const result = await postRender(input, renderOptions(args), stateSource(args, io.env));
    const helm = result.warnings.length > 0 ? helmParent() : undefined;
    for (const warning of result.warnings) {
      const line = `${NAME}: warning: ${warning}`;
      writeError(io, `${line}\n`);
      // Helm discards a successful post-renderer's stderr: show warnings on helm's own stderr.
      writeToHelmStderr(line, helm);
    }
    await writeOutput(io, result.byteParts());
    return EXIT.ok;
  } catch (err) {
    return fail(io, err);
  }
}

const USAGE = `${NAME} [flags] < manifest.yaml > rendered.yaml

Turns a chart's rendered manifest into versioned Deployments, pinned Services and version-routed traffic.
Helm 3: helm upgrade --install web ./chart --post-renderer ${NAME} [--post-renderer-args=--version=2.0.0]
Helm 4: helm upgrade --install web ./chart --post-renderer switchyard [--post-renderer-args=--version=2.0.0]`;

/** The flags; parsed by flags.ts, not yargs, which alone would cost more start-up than a typical render. */
const FLAGS: FlagSpecs = {
  ...Object.fromEntries(Object.entries(WORKLOAD_OPTIONS).map(([name, o]) => [name, { type: 'string', multiple: true, describe: o.describe }])),
  strategy: { type: 'string', choices: ['canary', 'bluegreen'], default: 'canary', describe: 'How a new version is introduced' },
  router: { type: 'string', choices: routerNames, describe: 'Traffic provider (default: the first the chart uses, else the first the cluster serves)' },
  header: { type: 'string', default: 'x-version', describe: 'Request header that selects a version' },
  offline: { type: 'boolean', default: false, describe: 'Do not read the cluster: treat every app as a first install' },
  'stable-version': { type: 'string', describe: 'Do not read the cluster: take this as the stable version of every app' },
  namespace: { type: 'string', alias: 'n', describe: "Release namespace (default: helm's -n, $HELM_NAMESPACE, then the kubeconfig's)" },
  'kube-context': { type: 'string', alias: 'context', describe: "Kubeconfig context (default: helm's --kube-context, $HELM_KUBECONTEXT, then the current one)" },
  kubeconfig: { type: 'string', describe: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' },
  'request-timeout': { type: 'string', describe: 'Timeout of each API request, e.g. 10s (default 30s)' },
  'version-info': { type: 'boolean', default: false, describe: "Print switchyard's own version and exit" },
  'last-error': { type: 'boolean', default: false, describe: 'Print the reason of the last failure under Helm 4 (which hides plugin errors) and exit' },
};

function parseArgs(argv: string[]): Args {
  const args = parseFlags(argv, FLAGS) as unknown as Args;
  if (args.offline && args['stable-version'] !== undefined) throw new UsageError('--offline and --stable-version are mutually exclusive');
  return args;
}

function renderOptions(args: Args): RenderOptions {
  const options: RenderOptions = { strategy: args.strategy, header: args.header, ...workloadOptions(args) };
  if (args.router !== undefined) options.router = args.router;
  return options;
}

function stateSource(args: Args, env: NodeJS.ProcessEnv): StateSource {
  if (args.offline) return { kind: 'offline' };
  if (args['stable-version'] !== undefined) return { kind: 'stable-version', version: args['stable-version'] };
  const helm = helmParent();
  const flags: KubeFlags = {};
  const namespace = args.namespace ?? env.SWITCHYARD_NAMESPACE ?? helm?.namespace ?? env.HELM_NAMESPACE;
  const context = args['kube-context'] ?? env.SWITCHYARD_CONTEXT ?? helm?.kubeContext ?? env.HELM_KUBECONTEXT;
  const kubeconfig = args.kubeconfig ?? helm?.kubeconfig;
  if (namespace !== undefined) flags.namespace = namespace;
  if (context !== undefined) flags.context = context;
  if (kubeconfig !== undefined) flags.kubeconfig = kubeconfig;
  if (args['request-timeout'] !== undefined) flags.requestTimeoutMs = parseRequestTimeout(args['request-timeout']);
  return { kind: 'cluster', flags, open: async (f) => (await import('../kube/open.ts')).openKube(f) };
}

/**
 * Reports a failure. Helm 3 shows our stderr in its error. Helm 4 (`HELM_PLUGIN_NAME` is
 * set) hides it, so the line also goes to the stderr of the helm process itself (a
 * terminal, a pipe or a log opened for appending), else to the controlling terminal; and
 * it is always saved for `switchyard-postrender --last-error`, the one channel that also
 * works when helm's stderr is a socket or a file it truncated.
 */
function fail(io: Io, err: unknown): number {
  const line = `${NAME}: error: ${oneLine(err)}`;
  writeError(io, `${line}\n`);
  if (io.env.HELM_PLUGIN_NAME !== undefined) {
    saveLastError(line, io.env, io.now());
    if (!writeToHelmStderr(line)) writeToTerminal(`${line} (helm 4 hides plugin errors; see also: ${NAME} --last-error)`);
  }
  return exitCodeFor(err);
}
