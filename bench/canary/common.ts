import { deployWeb, kubectl } from '../lib/cluster.ts';
import { paths, runTimed } from '../lib/proc.ts';
import type { Timed } from '../lib/proc.ts';

/** How much each part of bench:canary repeats (from the command line, capped). */
export interface Counts {
  /** Runs of each command in (a) and (b). */
  runs: number;
  /** Rollouts in (c), (d) and (d′). */
  rounds: number;
  /** Apps created for (b). */
  apps: number;
}

/** `kubectl canary <args> -n <ns>`, through kubectl's plugin lookup as users run it. */
export function canary(ns: string | undefined, args: readonly string[], timeoutMs = 120_000, rusage = false): Promise<Timed> {
  return runTimed(paths.kubectl, ['canary', ...args, ...(ns === undefined ? [] : ['-n', ns])], { timeoutMs, rusage });
}

/** Returns `t`, or throws with its stderr unless it exited with one of `codes`. */
export function must(t: Timed, what: string, codes: number[] = [0]): Timed {
  if (!codes.includes(t.code)) throw new Error(`${what} exited ${t.code}: ${t.stderr.trim().slice(-1500)}`);
  return t;
}

/** Name of the versioned Deployment of `version` of the app web. */
export function deploymentOfVersion(version: string): string {
  return `web-${version.replaceAll('.', '-')}`;
}

/** Waits until the app's versioned Deployment of `version` is rolled out. */
export async function rolledOutVersion(ns: string, version: string): Promise<void> {
  must(await kubectl(['-n', ns, 'rollout', 'status', `deployment/${deploymentOfVersion(version)}`, '--timeout=90s'], { timeoutMs: 100_000 }), `rollout status ${version}`);
}

/** Deploys `version` at 4 replicas (its Deployment starts at the first step's size) and, unless it never gets ready, waits for that, untimed. */
export async function deployCanary(ns: string, version: string, neverReady = false): Promise<string> {
  await deployWeb(ns, version, { replicas: 4, neverReady });
  if (!neverReady) await rolledOutVersion(ns, version);
  return deploymentOfVersion(version);
}
