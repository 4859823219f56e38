import { hostname, userInfo } from 'node:os';
import { isKubeError } from '../kube/index.ts';
import type { Kube } from '../kube/index.ts';
import { APP_LABEL, ROLE_LABEL } from '../render/index.ts';
import type { KubeObject } from '../render/index.ts';
import { stateName } from './state.ts';

/** How long a lease stays valid without renewal. */
export const LEASE_SECONDS = 15;

/** Refusal: another command drives the app. */
export class LeaseHeld extends Error {
  readonly holder: string;
  readonly since: string;

  constructor(app: string, holder: string, since: string, expired: boolean) {
    super(`${app} is being driven by ${holder} since ${since}${expired ? '' : ' (pass --force to take over if it is abandoned)'}`);
    this.name = 'LeaseHeld';
    this.holder = holder;
    this.since = since;
  }
}

/**
 * The lease was lost while a command drove the app: another holder took it over
 * (`--force`), it was deleted, or it could not be renewed before it expired. The command
 * stops before its next write; every transition is idempotent, so the state it leaves is
 * resumable by whoever holds the lease now, or by a new run.
 */
export class LeaseLost extends Error {
  readonly code = 'lease-lost';
  readonly app: string;
  readonly namespace: string;
  /** The new holder, when one is known. */
  readonly holder: string | undefined;
  /** Whether it was lost because the cluster refused the renewal (a missing permission: exit 4). */
  get refused(): boolean {
    return isKubeError(this.cause, 'forbidden') || isKubeError(this.cause, 'unauthorized');
  }

  constructor(namespace: string, app: string, why: string, holder?: string, options?: { cause?: unknown }) {
    const message = `lost the lease of ${app} in namespace ${namespace}: ${why}`;
    super(`${message}; stopped before the next write (the rollout state is intact and resumable)`, options);
    this.name = 'LeaseLost';
    this.app = app;
    this.namespace = namespace;
    this.holder = holder;
  }
}

/** A held lease; renewed in the background until released. */
export interface Lock {
  readonly holder: string;
  /** Aborts when the lease is lost (its reason is the {@link LeaseLost}). */
  readonly lost: AbortSignal;
  /** Throws the {@link LeaseLost} if the lease was lost, or is too old to be sure it is still ours. */
  check(): void;
  /** `kube`, refusing every write (with {@link LeaseLost}) once the lease is lost; reads pass. */
  guard(kube: Kube): Kube;
  release(): Promise<void>;
}

/** Options of {@link acquireLease}. */
export interface LeaseOptions {
  /** Take over a lease held by someone else. Default: false. */
  force?: boolean;
  now: () => number;
  /** How often the lease is renewed. Default: a third of LEASE_SECONDS. */
  renewEveryMs?: number;
  /**
   * Called as the lease is written, once it was found free (or ours to take): what the
   * caller reads from then on sees every write of a previous holder, which released it
   * first, so reads can go alongside the write. Called again if that write is refused.
   */
  taking?: () => void;
}

/** Who we are: `user@host/pid`, so a crashed holder on the same host can be recognised. */
export function holderIdentity(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (e.g. an arbitrary UID in a container)
  }
  return `${user}@${hostname()}/${process.pid}`;
}

/** Whether a holder identity names a process on this host that no longer runs. */
export function isDeadLocalHolder(holder: string): boolean {
  const match = /^.*@(.+)\/(\d+)$/.exec(holder);
  if (match === null || match[1] !== hostname()) return false;
  try {
    process.kill(Number(match[2]), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Takes the `coordination.k8s.io` Lease of `app`. A lease held by someone else is
 * refused with {@link LeaseHeld} unless it expired (its holder stopped renewing it for
 * LEASE_SECONDS), its holder is a process on this host that has died (a `kill -9`ed run:
 * taken over at once, so a re-run converges without waiting), or `force` is set.
 */
export async function acquireLease(kube: Kube, namespace: string, app: string, options: LeaseOptions): Promise<Lock> {
  const holder = holderIdentity();
  const name = stateName(app);
  for (let attempt = 0; attempt < 5; attempt++) {
    const now = options.now();
    const existing = await kube.get('coordination.k8s.io/v1', 'Lease', namespace, name);
    const spec = (existing?.spec ?? {}) as { holderIdentity?: string; renewTime?: string; acquireTime?: string; leaseDurationSeconds?: number };
    const current = spec.holderIdentity;
    if (existing !== undefined && current !== undefined && current !== '' && current !== holder) {
      const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? '') || 0;
      const expired = now > renewed + (spec.leaseDurationSeconds ?? LEASE_SECONDS) * 1000;
      const takeOver = expired || isDeadLocalHolder(current) || options.force === true;
      if (!takeOver) throw new LeaseHeld(app, current, spec.acquireTime ?? spec.renewTime ?? 'an unknown time', expired);
    }
    const stamp = micro(now);
    const lease: KubeObject = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace, labels: { [APP_LABEL]: app, [ROLE_LABEL]: 'lease' } },
      spec: { holderIdentity: holder, leaseDurationSeconds: LEASE_SECONDS, acquireTime: stamp, renewTime: stamp },
    };
    options.taking?.();
    try {
      const written = existing === undefined ? await kube.create(lease) : await kube.update({ ...lease, metadata: { ...lease.metadata, resourceVersion: existing.metadata.resourceVersion } });
      return startRenewal(kube, { namespace, app, name, holder, now: options.now, everyMs: options.renewEveryMs ?? (LEASE_SECONDS * 1000) / 3, written });
    } catch (err) {
      if (isKubeError(err, 'conflict') || isKubeError(err, 'already-exists')) continue;
      throw err;
    }
  }
  throw new Error(`could not take the lease of ${app}: it keeps changing`);
}

interface Held {
  namespace: string;
  app: string;
  name: string;
  holder: string;
  now: () => number;
  everyMs: number;
  /** The Lease as last written. */
  written: KubeObject;
}

/**
 * Renews the lease every `everyMs` and notices when it is lost: another holder in the
 * Lease (a forced take-over), the Lease deleted, or no successful renewal for
 * LEASE_SECONDS (others may take an expired lease). Conflicts are read again at once.
 */
function startRenewal(kube: Kube, held: Held): Lock {
  const { namespace, app, name, holder, now } = held;
  const controller = new AbortController();
  let renewedAt = now();
  let last: KubeObject | undefined = held.written;
  let stopped = false;
  let inflight: Promise<void> = Promise.resolve();
  const lose = (err: LeaseLost): void => {
    if (!controller.signal.aborted) controller.abort(err);
  };
  const renewOnce = async (): Promise<void> => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const lease = await kube.get('coordination.k8s.io/v1', 'Lease', namespace, name);
      if (lease === undefined) return lose(new LeaseLost(namespace, app, 'its Lease was deleted'));
      const current = (lease.spec as { holderIdentity?: string }).holderIdentity;
      if (current !== holder) {
        const who = current === undefined || current === '' ? undefined : current;
        const why = who === undefined ? 'it was released by someone else' : `${who} took it over`;
        return lose(new LeaseLost(namespace, app, why, who));
      }
      const stamp = now();
      (lease.spec as { renewTime?: string }).renewTime = micro(stamp);
      try {
        last = await kube.update(lease);
        renewedAt = stamp;
        return;
      } catch (err) {
        if (!isKubeError(err, 'conflict')) throw err;
      }
    }
  };
  const renew = async (): Promise<void> => {
    try {
      await renewOnce();
    } catch (err) {
      // Refused (a Role without `update` on leases, a revoked token): it will not get better.
      const refused = isKubeError(err, 'forbidden') || isKubeError(err, 'unauthorized');
      if (!refused && now() - renewedAt < LEASE_SECONDS * 1000) return;
      const why = refused ? `it cannot be renewed (${(err as Error).message})` : `it could not be renewed for ${LEASE_SECONDS}s (${(err as Error).message})`;
      lose(new LeaseLost(namespace, app, why, undefined, { cause: err }));
    }
  };
  const timer = setInterval(() => {
    if (!stopped && !controller.signal.aborted) inflight = inflight.then(renew);
  }, held.everyMs);
  timer.unref();
  const check = (): void => {
    if (!controller.signal.aborted && now() - renewedAt >= LEASE_SECONDS * 1000) {
      const ago = Math.round((now() - renewedAt) / 1000);
      lose(new LeaseLost(namespace, app, `it was last renewed ${ago}s ago, longer than its ${LEASE_SECONDS}s duration`));
    }
    if (controller.signal.aborted) throw controller.signal.reason as LeaseLost;
  };
  return {
    holder,
    lost: controller.signal,
    check,
    guard: (inner) => guarded(inner, check),
    async release(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await inflight;
      if (controller.signal.aborted) return;
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          // The Lease as this command last wrote it, unless that is out of date (then read it).
          const lease = attempt === 0 && last?.metadata.resourceVersion !== undefined ? structuredClone(last) : await kube.get('coordination.k8s.io/v1', 'Lease', namespace, name);
          if (lease === undefined || (lease.spec as { holderIdentity?: string }).holderIdentity !== holder) return;
          (lease.spec as Record<string, unknown>).holderIdentity = '';
          await kube.update(lease);
          return;
        } catch (err) {
          // A renewal raced us: read again. Anything else: the lease expires by itself.
          if (!isKubeError(err, 'conflict')) return;
        }
      }
    },
  };
}

/** A Kube whose writes first call `check` (which throws once the lease is lost). */
function guarded(kube: Kube, check: () => void): Kube {
  return {
    namespace: kube.namespace,
    get: (...a) => kube.get(...a),
    list: (...a) => kube.list(...a),
    watch: (...a) => kube.watch(...a),
    ...(kube.getRaw === undefined ? {} : { getRaw: kube.getRaw.bind(kube) }),
    create: async (...a) => (check(), kube.create(...a)),
    update: async (...a) => (check(), kube.update(...a)),
    apply: async (...a) => (check(), kube.apply(...a)),
    patch: async (...a) => (check(), kube.patch(...a)),
    delete: async (...a) => (check(), kube.delete(...a)),
  };
}

/** The MicroTime format the Lease API expects. */
function micro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
