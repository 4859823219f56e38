import { compareVersions } from '../render/index.ts';
import { VERSION_SOURCE_ANNOTATION } from '../render/labels.ts';
import { effectiveShare, providers, spansVersions } from '../route/index.ts';
import type { RolloutState } from './state.ts';
import { RELEASE_ANNOTATION } from '../kube/types.ts';
import { capacityFor } from './capacity.ts';
import type { AppStatus, CapacityStatus, GateStatus, VersionRole, VersionStatus } from './view.ts';
import { readiness } from './world.ts';
import type { World } from './world.ts';
import { formatDuration } from './state.ts';

/** The status view of an app from its state and live objects (pure). */
export function buildStatus(state: RolloutState, world: World, gates: GateStatus[], _now: number): AppStatus {
  const versions: VersionStatus[] = [];
  const roleOf = (version: string): VersionRole => (version === state.stable ? 'stable' : version === state.canary ? (state.strategy === 'bluegreen' ? 'preview' : 'canary') : 'retained');
  const weightOf = (version: string): number => {
    const canaryWeight = state.canary !== undefined && state.phase !== 'Degraded' ? state.weight : 0;
    if (version === state.stable) return 100 - canaryWeight;
    return version === state.canary ? canaryWeight : 0;
  };
  for (const [version, d] of world.deployments) {
    const r = readiness(d);
    const source = d.metadata.annotations?.[VERSION_SOURCE_ANNOTATION];
    versions.push({ version, role: roleOf(version), deployment: d.metadata.name, replicas: r.replicas, readyReplicas: r.ready, weight: weightOf(version), ...(source === undefined ? {} : { source }) });
  }
  if (world.original !== undefined && !world.deployments.has(world.original.version)) {
    const r = readiness(world.original.deployment);
    versions.push({ version: world.original.version, role: roleOf(world.original.version), deployment: world.original.deployment.metadata.name, replicas: r.replicas, readyReplicas: r.ready, weight: weightOf(world.original.version) });
  }
  if (spansVersions(providers[state.router])) {
    const total = versions.reduce((sum, v) => sum + v.readyReplicas, 0);
    for (const v of versions) v.effectiveWeight = v.liveWeight = effectiveShare(v.readyReplicas, total);
  } else if (Object.keys(world.liveWeights).length > 0) {
    for (const v of versions) v.liveWeight = world.liveWeights[v.version] ?? 0;
  }
  for (const v of versions) if (v.role === 'retained' && (v.liveWeight ?? 0) > 0) v.superseded = true;
  const rank: Record<VersionRole, number> = { stable: 0, canary: 1, preview: 1, retained: 2 };
  versions.sort((a, b) => rank[a.role] - rank[b.role] || compareVersions(b.version, a.version));
  const inRollout = state.canary !== undefined && state.phase !== 'Healthy';
  const current = state.steps[state.step];
  const view: AppStatus = {
    app: state.app,
    namespace: world.namespace,
    phase: state.phase,
    strategy: state.strategy,
    router: state.router,
    stable: state.stable,
    weight: state.canary !== undefined && state.phase !== 'Degraded' ? state.weight : 0,
    step: inRollout ? { index: Math.min(state.step + 1, state.steps.length), total: state.steps.length } : { index: 0, total: 0 },
    versions,
    gates: [...gates, ...analysisGates(state)],
    updatedAt: state.updatedAt,
  };
  if (inRollout) {
    view.step.description = current === undefined ? 'promote' : current.kind === 'weight' ? `set weight ${current.weight}%` : current.durationMs === undefined ? 'pause until promoted' : `pause ${formatDuration(current.durationMs)}`;
  }
  if (state.canary !== undefined) view.canary = state.canary;
  const release = [...world.deployments.values()].map((d) => d.metadata.annotations?.[RELEASE_ANNOTATION]).find((r) => r !== undefined);
  if (release !== undefined) view.release = release;
  if (state.message !== undefined) view.message = state.message;
  if (inRollout && state.startedAt !== undefined) view.startedAt = state.startedAt;
  const scaleDowns = state.retained
    .filter((r) => r.hot !== true && r.scaleDownAt !== undefined && (versions.find((v) => v.version === r.version)?.replicas ?? 0) > 0)
    .map((r) => ({ version: r.version, at: r.scaleDownAt! }));
  if (scaleDowns.length > 0) view.scaleDowns = scaleDowns;
  const capacity = capacityStatus(state, world);
  if (capacity !== undefined) view.capacity = capacity;
  return view;
}

/** The canary's capacity for the weight of the step being carried out, while a canary rolls out. */
function capacityStatus(state: RolloutState, world: World): CapacityStatus | undefined {
  if (state.strategy !== 'canary' || state.canary === undefined || state.undo === true || (state.phase !== 'Progressing' && state.phase !== 'Paused')) return undefined;
  const canary = world.deployments.get(state.canary);
  if (canary === undefined) return undefined;
  const step = state.steps[state.step];
  const weight = step === undefined ? 100 : step.kind === 'weight' ? step.weight : state.weight;
  const planned = capacityFor(world, state, weight);
  const out: CapacityStatus = { version: state.canary, replicas: readiness(canary).replicas, targetReplicas: planned.replicas, stableReplicas: planned.stableReplicas, weight };
  if (planned.autoscaler !== undefined) out.autoscaler = planned.autoscaler;
  return out;
}

/** The analysis gates of the stage being measured, else of the last one decided. */
function analysisGates(state: RolloutState): GateStatus[] {
  const stage = state.analysis?.current ?? state.analysis?.last;
  if (stage === undefined) return [];
  return stage.gates.map((p) => {
    const spec = state.gates?.gates.find((g) => g.name === p.gate);
    const last = p.measurements.at(-1);
    const phase = p.verdict ?? 'running';
    const gate: GateStatus = {
      name: p.gate,
      ok: phase !== 'fail',
      message: `${stage.stage}: ${last === undefined ? 'waiting for the first measurement' : last.message} (${p.taken}${spec === undefined || spec.type === 'job' ? '' : `/${spec.count}`} measured${p.failures > 0 ? `, ${p.failures} failed` : ''}${p.errors > 0 ? `, ${p.errors} errors` : ''})`,
      stage: stage.stage,
      phase,
      measurements: p.measurements,
    };
    if (spec !== undefined) gate.kind = spec.type;
    return gate;
  });
}
