import { KubeError } from '../kube/errors.ts';
import { LeaseLost } from '../rollout/lease.ts';

/**
 * The documented exit codes of every switchyard binary.
 * - 0 success (promoted, healthy, rendered)
 * - 1 rolled back, degraded, or the input/operation failed
 * - 2 usage error
 * - 3 not finished: timed out or interrupted while progressing, or paused by an inconclusive analysis
 * - 4 could not reach or authorise against the cluster
 */
export const EXIT = { ok: 0, failed: 1, usage: 2, timeout: 3, cluster: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A usage error: bad flags or arguments (exit 2). */
export class UsageError extends Error {
  readonly code = 'usage';

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The exit code for an error that reached the command line. */
export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof KubeError) return err.isAccess ? EXIT.cluster : EXIT.failed;
  if (err instanceof LeaseLost && err.refused) return EXIT.cluster;
  return EXIT.failed;
}

/** One line for the user: the message without stack, newlines folded. */
export function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
