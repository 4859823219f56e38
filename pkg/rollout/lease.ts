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

/** A held lease; renewed in the background until released. */
export interface Lock {
  readonly holder: string;
  release(): Promise<void>;
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
export async function acquireLease(kube: Kube, namespace: string, app: string, options: { force?: boolean; now: () => number }): Promise<Lock> {
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
    try {
      if (existing === undefined) await kube.create(lease);
      else await kube.update({ ...lease, metadata: { ...lease.metadata, resourceVersion: existing.metadata.resourceVersion } });
      return startRenewal(kube, namespace, name, holder, options.now);
    } catch (err) {
      if (isKubeError(err, 'conflict') || isKubeError(err, 'already-exists')) continue;
      throw err;
    }
  }
  throw new Error(`could not take the lease of ${app}: it keeps changing`);
}

function startRenewal(kube: Kube, namespace: string, name: string, holder: string, now: () => number): Lock {
  let stopped = false;
  let inflight: Promise<void> = Promise.resolve();
  const renew = async (): Promise<void> => {
    const lease = await kube.get('coordination.k8s.io/v1', 'Lease', namespace, name);
    if (lease === undefined || (lease.spec as { holderIdentity?: string }).holderIdentity !== holder) return;
    (lease.spec as { renewTime?: string }).renewTime = micro(now());
    await kube.update(lease);
  };
  const timer = setInterval(() => {
    if (!stopped) inflight = renew().catch(() => undefined);
  }, (LEASE_SECONDS * 1000) / 3);
  timer.unref();
  return {
    holder,
    async release(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await inflight;
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          const lease = await kube.get('coordination.k8s.io/v1', 'Lease', namespace, name);
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

/** The MicroTime format the Lease API expects. */
function micro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
