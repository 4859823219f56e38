import type { Kube } from '../kube/index.ts';
import { APP_LABEL, VERSION_LABEL } from '../render/index.ts';
import type { GateStatus } from './view.ts';
import type { World } from './world.ts';
import { readiness } from './world.ts';

/** What a gate sees. Metric and webhook gates get the same context. */
export interface GateContext {
  kube: Kube;
  world: World;
  version: string;
  /** Replicas the version must have ready at this step. */
  desired: number;
  /** When the step started, to judge deadlines. */
  stepStartedAt: number;
  now: number;
}

/** `pending` means "not yet": keep waiting (until the progress deadline). */
export type GateVerdict = { result: 'pass' | 'pending' | 'fail'; message: string };

/** A check between steps. Health gates live here; metric and webhook gates implement the same interface. */
export interface Gate {
  readonly name: string;
  check(ctx: GateContext): Promise<GateVerdict>;
}

/** The version's Deployment has its desired replicas updated, ready and available. */
export const availability: Gate = {
  name: 'availability',
  async check({ world, version, desired }) {
    const d = world.deployments.get(version);
    if (d === undefined) return { result: 'fail', message: `Deployment of ${version} is gone` };
    const r = readiness(d);
    if (r.failed !== undefined) return { result: 'fail', message: `Deployment ${d.metadata.name}: ${r.failed}` };
    if (r.replicas < desired) return { result: 'pending', message: `scaling to ${desired}` };
    if (r.updated && r.ready >= desired && r.available >= desired) return { result: 'pass', message: `${r.ready}/${r.replicas} ready` };
    return { result: 'pending', message: `${r.ready}/${r.replicas} ready` };
  },
};

/** The version's pods have not restarted or failed more than `max` times in all. */
export function restarts(max: number): Gate {
  return {
    name: 'restarts',
    async check({ kube, world, version }) {
      const { items } = await kube.list('v1', 'Pod', world.namespace, { labelSelector: `${APP_LABEL}=${world.app},${VERSION_LABEL}=${version}` });
      let count = 0;
      for (const pod of items) {
        const status = pod.status as { phase?: string; containerStatuses?: { restartCount?: number }[] } | undefined;
        if (status?.phase === 'Failed') count++;
        for (const c of status?.containerStatuses ?? []) count += c.restartCount ?? 0;
      }
      return count > max ? { result: 'fail', message: `${count} container restarts or failed pods (more than ${max})` } : { result: 'pass', message: `${count} restarts` };
    },
  };
}

/** Fails when the step has waited longer than `deadlineMs` for the version to become ready. */
export function progressDeadline(deadlineMs: number): Gate {
  return {
    name: 'progress-deadline',
    async check({ stepStartedAt, now }) {
      const waited = now - stepStartedAt;
      return waited > deadlineMs ? { result: 'fail', message: `not ready within the progress deadline (${Math.round(deadlineMs / 1000)}s)` } : { result: 'pass', message: `${Math.round(waited / 1000)}s of ${Math.round(deadlineMs / 1000)}s` };
    },
  };
}

/** Runs gates in order; the first failure wins, then the first pending. */
export async function runGates(gates: Gate[], ctx: GateContext): Promise<{ verdict: GateVerdict; results: GateStatus[] }> {
  const results: GateStatus[] = [];
  let pending: GateVerdict | undefined;
  for (const gate of gates) {
    const verdict = await gate.check(ctx);
    results.push({ name: gate.name, ok: verdict.result !== 'fail', message: verdict.message });
    if (verdict.result === 'fail') return { verdict: { result: 'fail', message: `${gate.name}: ${verdict.message}` }, results };
    if (verdict.result === 'pending' && pending === undefined) pending = verdict;
  }
  return { verdict: pending ?? { result: 'pass', message: 'all gates pass' }, results };
}
