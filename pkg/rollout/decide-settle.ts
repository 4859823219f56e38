import { effectiveShare, providers, spansVersions } from '../route/index.ts';
import { commit, route, scaleTo } from './draft.ts';
import type { Draft } from './draft.ts';
import type { Next } from './effects.ts';
import { record } from './store.ts';
import { planFromState } from './traffic.ts';
import { readiness } from './world.ts';
import type { World } from './world.ts';

/**
 * Traffic was moved outside switchyard (e.g. `helm rollback` or `--atomic` re-applied an
 * old manifest, which can leave the stable Service selecting a version with no pods):
 * put it back on the recorded stable version first (scaled back to its size and ready),
 * and say so. `kubectl canary undo` is the way to roll back.
 */
export function restoreTraffic(d: Draft): Next | undefined {
  const { state, world } = d;
  if (world.liveStable === undefined || world.liveStable === state.stable || !world.deployments.has(state.stable)) return undefined;
  const selected = world.liveStable;
  const stable = world.deployments.get(state.stable)!;
  const wanted = Math.max(state.stableReplicas ?? 1, (stable.spec as { replicas?: number }).replicas ?? 0, 1);
  if (scaleTo(d, stable, wanted)) return { kind: 'again' };
  if (readiness(stable).ready === 0) return { kind: 'wait', for: 'readiness' }; // woken by the Deployment watch
  commit(d, (s) => record(s, d.now, { event: 'TrafficRestored', message: `the stable Service selected ${selected} (changed outside switchyard, e.g. by helm rollback); traffic is back on ${s.stable}. Use "undo" to roll back`, version: s.stable, selected }));
  route(d, planFromState(d.state, d.world));
  return { kind: 'again' };
}

/**
 * A canary replaced mid-rollout (a `helm upgrade` while it held traffic: the post-renderer
 * re-emits the live weights, so its share stays) is retained but still served. Before the
 * new version is started, its share goes back to the stable version; where replica counts
 * split the traffic, its header route goes and it is scaled down.
 */
export function returnSupersededTraffic(d: Draft): Next | undefined {
  const { state, world } = d;
  const active = new Set([state.stable, state.canary]);
  if (spansVersions(providers[state.router])) {
    const superseded = state.retained.filter((r) => r.aborted === true && r.hot !== true && !active.has(r.version) && ((world.deployments.get(r.version)?.spec as { replicas?: number } | undefined)?.replicas ?? 0) > 0);
    if (superseded.length === 0) return undefined;
    const shares = new Map(superseded.map((r) => [r.version, effectiveShareOf(world, r.version)]));
    route(d, planFromState(state, world, new Set(shares.keys())));
    for (const version of shares.keys()) scaleTo(d, d.world.deployments.get(version), 0);
    commit(d, (s) => {
      for (const [version, weight] of shares) record(s, d.now, { event: 'TrafficReturned', message: `${version} was replaced while it held ${weight}% of the pods' traffic: scaled down, ${s.stable} serves its share`, version, weight, stable: s.stable });
    });
    return { kind: 'again' };
  }
  const held = Object.entries(world.liveWeights).filter(([version, weight]) => weight > 0 && !active.has(version) && world.deployments.has(version));
  if (held.length === 0) return undefined;
  route(d, planFromState(state, world));
  commit(d, (s) => {
    for (const [version, weight] of held) record(s, d.now, { event: 'TrafficReturned', message: `${version} was replaced while it held ${weight}% of traffic; that share is back on ${s.stable}`, version, weight, stable: s.stable });
  });
  return { kind: 'again' };
}

/** A version's share of the ready pods of the app, in percent. */
function effectiveShareOf(world: World, version: string): number {
  const ready = [...world.deployments.values()].map((d) => readiness(d).ready);
  const total = ready.reduce((a, b) => a + b, 0);
  const own = world.deployments.get(version);
  return own === undefined ? 0 : effectiveShare(readiness(own).ready, total);
}

/** Healthy: keep traffic where the state says, scale down retained versions when due, retire extras. */
export function settle(d: Draft): Next {
  const { state, now } = d;
  const { keep } = d.policy;
  // Header routes of versions due to be scaled down go first: no request for a version without pods.
  const due = new Set(state.retained.filter((r) => r.hot !== true && (r.scaleDownAt === undefined || Date.parse(r.scaleDownAt) <= now)).map((r) => r.version));
  route(d, planFromState(state, d.world, due));
  let wakeAt: number | undefined;
  for (const retained of state.retained) {
    if (retained.hot === true) continue;
    const at = retained.scaleDownAt === undefined ? now : Date.parse(retained.scaleDownAt);
    if (at > now) {
      wakeAt = Math.min(wakeAt ?? Infinity, at);
      continue;
    }
    const { world } = d;
    const deployment = retained.version === world.original?.version && !world.deployments.has(retained.version) ? world.original.deployment : world.deployments.get(retained.version);
    if (scaleTo(d, deployment, 0)) commit(d, (s) => record(s, now, { event: 'ScaledDown', message: `${retained.version} scaled down (kept for rollback)`, version: retained.version }));
  }
  // Versions that were never promoted (aborted or replaced canaries) do not take a slot.
  const good = state.retained.filter((r) => r.aborted !== true);
  const extra = [...state.retained.filter((r) => r.aborted === true && (r.scaleDownAt === undefined || Date.parse(r.scaleDownAt) <= now)), ...good.slice(keep)];
  if (extra.length > 0) {
    commit(d, (s) => {
      const gone = new Set(extra.map((r) => r.version));
      s.retained = s.retained.filter((r) => !gone.has(r.version));
      for (const r of extra) record(s, now, { event: 'Retired', message: `${r.version} retired (more than ${keep} kept)`, version: r.version, keep });
    });
    route(d, planFromState(d.state, d.world));
    for (const r of extra) d.effects.push({ kind: 'delete-version', version: r.version });
    return { kind: 'again' };
  }
  // Traffic is where it was asked to be: a delay whose only job is to keep the previous
  // version warm does not hold the command, unless asked to.
  if (wakeAt !== undefined && d.policy.waitScaleDown) return { kind: 'wait', for: 'scale-down', until: wakeAt };
  return { kind: 'done', outcome: 'healthy' };
}
