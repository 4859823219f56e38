import yargs from 'yargs';
import type { KubeFlags } from '../kube/index.ts';
import { complete, formatCompletion } from './complete.ts';
import type { CompletionTree } from './complete.ts';
import { EXIT } from './exit-codes.ts';
import type { Io } from './io.ts';
import { kubectlFlags, kubeFlagsFrom } from './kubectl-flags.ts';
import type { KubectlArgs } from './kubectl-flags.ts';

/** How long completion waits for the cluster before offering nothing from it. Default of `--request-timeout` here. */
export const COMPLETION_TIMEOUT_MS = 2_000;

/** Reads names from the cluster; tests pass their own. */
export type NameSource = (kind: 'apps' | 'namespaces', flags: KubeFlags) => Promise<string[]>;

/**
 * Answers `kubectl-<plugin> __complete <words…>` (what kubectl_complete-<plugin> runs):
 * the candidates for the last word on stdout, one a line, then cobra's `:<directive>`
 * line, and exit 0. App and namespace names come from the cluster, with the connection
 * flags among the words (`-n`, `--context`, `--server`, …), one attempt and a 2 s
 * timeout; if the cluster cannot answer, there are just no names. Nothing goes to stderr.
 */
export async function printCompletions(tree: CompletionTree, words: string[], io: Io, names: NameSource = clusterNames): Promise<number> {
  const result = complete(tree, words.length === 0 ? [''] : words);
  let candidates = result.candidates;
  if (result.cluster !== undefined) {
    const { kind, prefix } = result.cluster;
    try {
      const found = await names(kind, flagsAmong(words.slice(0, -1)));
      candidates = [...candidates, ...found.filter((n) => n.startsWith(prefix))];
    } catch {
      // No cluster, no names: completion must never fail or print an error.
    }
  }
  io.stdout.write(formatCompletion(candidates, result.directive));
  return EXIT.ok;
}

/** The kubectl connection flags among the words typed so far; anything unparsable is left out. */
export function flagsAmong(words: string[]): KubeFlags {
  try {
    const parsed = kubectlFlags(yargs(words)).help(false).version(false).exitProcess(false).parseSync() as KubectlArgs;
    return { requestTimeoutMs: COMPLETION_TIMEOUT_MS, ...kubeFlagsFrom(parsed) };
  } catch {
    return { requestTimeoutMs: COMPLETION_TIMEOUT_MS };
  }
}

async function clusterNames(kind: 'apps' | 'namespaces', flags: KubeFlags): Promise<string[]> {
  const [{ connect }, { HttpKube }] = await Promise.all([import('../kube/config.ts'), import('../kube/client.ts')]);
  const kube = new HttpKube(await connect(flags), { retry: { attempts: 1 } });
  try {
    if (kind === 'namespaces') return (await kube.list('v1', 'Namespace', undefined)).items.map((n) => n.metadata.name).sort();
    const { appNames } = await import('../rollout/actions.ts');
    return await appNames(kube, kube.namespace);
  } finally {
    kube.close();
  }
}
