import type { GateStatus } from './view.ts';
import type { World } from './world.ts';
import { readiness } from './world.ts';

/** What a health check sees: the live objects as read (pods' restarts included), and the step's clock. */
export interface GateContext {
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

/** A health check between steps, judged purely from what was read. */
export interface Gate {
  readonly name: string;
  check(ctx: GateContext): GateVerdict;
}

/** The version's Deployment has its desired replicas updated, ready and available. */
export const availability: Gate = {
  name: 'availability',
  check({ world, version, desired }) {
    const d = world.deployments.get(version);
    if (d === undefined) return { result: 'fail', message: `Deployment of ${version} is gone` };
    const r = readiness(d);
    if (r.failed !== undefined) return { result: 'fail', message: `Deployment ${d.metadata.name}: ${r.failed}` };
    if (r.replicas < desired) return { result: 'pending', message: `scaling to ${desired}` };
    // The pods' own count, when read, caps the Deployment's (whose status can lag; see readPods).
    const ready = world.readyPods === undefined ? r.ready : Math.min(r.ready, world.readyPods[version] ?? 0);
    if (r.updated && ready >= desired && r.available >= desired) return { result: 'pass', message: `${ready}/${r.replicas} ready` };
    return { result: 'pending', message: `${ready}/${r.replicas} ready` };
  },
};

/** The version's pods have not restarted or failed more than `max` times in all ({@link World.restarts}). */
export function restarts(max: number): Gate {
  return {
    name: 'restarts',
    check({ world, version }) {
      const count = world.restarts?.[version] ?? 0;
      return count > max ? { result: 'fail', message: `${count} container restarts or failed pods (more than ${max})` } : { result: 'pass', message: `${count} restarts` };
    },
  };
}

/** Fails when the step has waited longer than `deadlineMs` for the version to become ready. */
export function progressDeadline(deadlineMs: number): Gate {
  return {
    name: 'progress-deadline',
    check({ stepStartedAt, now }) {
      const waited = now - stepStartedAt;
      return waited > deadlineMs ? { result: 'fail', message: `not ready within the progress deadline (${Math.round(deadlineMs / 1000)}s)` } : { result: 'pass', message: `${Math.round(waited / 1000)}s of ${Math.round(deadlineMs / 1000)}s` };
    },
  };
}

/** Runs gates in order; the first failure wins, then the first pending. */
export function runGates(gates: Gate[], ctx: GateContext): { verdict: GateVerdict; results: GateStatus[] } {
  const results: GateStatus[] = [];
  let pending: GateVerdict | undefined;
  for (const gate of gates) {
    const verdict = gate.check(ctx);
    results.push({ name: gate.name, ok: verdict.result !== 'fail', message: verdict.message });
    if (verdict.result === 'fail') return { verdict: { result: 'fail', message: `${gate.name}: ${verdict.message}` }, results };
    if (verdict.result === 'pending' && pending === undefined) pending = verdict;
  }
  return { verdict: pending ?? { result: 'pass', message: 'all gates pass' }, results };
}
