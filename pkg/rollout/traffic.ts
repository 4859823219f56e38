import { fieldManagerFor, isKubeError } from '../kube/index.ts';
import type { Kube } from '../kube/index.ts';
import { APP_LABEL, childName, planTracks, POD_TEMPLATE_HASH_LABEL, RENDERED_ANNOTATION, ROLE_LABEL, VERSION_LABEL } from '../render/index.ts';
import type { AppPlan, KubeObject, LiveVersion, TrackSpec } from '../render/index.ts';
import { cleanLiveObject, isHeadless, previewService, SCALER_KINDS, versionService, withoutTrackLabels } from '../render/workload.ts';
import { checkPlan, providers, routeTraffic, spansVersions, stableAnnotations } from '../route/index.ts';
import { deleteConfigCopies } from './config-copies.ts';
import type { RolloutState } from './state.ts';
import { refreshTraffic } from './world.ts';
import type { World } from './world.ts';

/**
 * The plan the routes and Services must implement for `state` (the engine's side of
 * {@link planTracks}). Versions in `scalingDown` are about to be scaled to zero: they get
 * no header route, so it goes before their pods.
 */
export function planFromState(state: RolloutState, world: World, scalingDown: ReadonlySet<string> = NONE): AppPlan {
  const adopting = world.original !== undefined && world.original.version === state.stable && !world.deployments.has(state.stable);
  const canaryWeight = state.canary !== undefined && state.phase !== 'Degraded' ? state.weight : 0;
  const live = (version: string, weight: number): LiveVersion => {
    const d = world.deployments.get(version)!;
    const replicas = scalingDown.has(version) ? 0 : ((d.spec as { replicas?: number } | undefined)?.replicas ?? 1);
    return { version, deployment: d.metadata.name, replicas, weight };
  };
  const others: LiveVersion[] = [];
  if (state.canary !== undefined && state.canary !== state.stable && world.deployments.has(state.canary)) others.push(live(state.canary, canaryWeight));
  for (const r of new Set(state.retained.map((x) => x.version))) {
    if (r !== state.stable && r !== state.canary && world.deployments.has(r)) others.push(live(r, 0));
  }
  const spec: TrackSpec = { app: world.app, version: state.canary ?? state.stable, strategy: state.strategy, header: state.header, stable: state.stable, adopting, others };
  const stableDeployment = world.deployments.get(state.stable)?.metadata.name;
  if (stableDeployment !== undefined) spec.stableDeployment = stableDeployment;
  if (state.canary !== undefined) spec.canary = state.canary;
  if (adopting && world.original?.podTemplateHash !== undefined) spec.originalPodTemplateHash = world.original.podTemplateHash;
  return planTracks(spec);
}

const NONE: ReadonlySet<string> = new Set();

/** What {@link applyTraffic} changed, for events and tests. */
export interface TrafficChange {
  services: string[];
  routes: string[];
  deleted: string[];
}

/**
 * Makes the stable Services, per-version Services and routes implement `plan`, writing
 * only objects that differ. Selectors change before routes, so no request ever goes to a
 * version whose Service is not there yet. Writes are server-side apply with field manager
 * `switchyard`, or merge patches; what they write is exactly what the post-renderer would
 * render for the same state, so a later `helm upgrade` changes nothing.
 */
export async function applyTraffic(kube: Kube, world: World, plan: AppPlan, router: RolloutState['router']): Promise<TrafficChange> {
  const change: TrafficChange = { services: [], routes: [], deleted: [] };
  const ns = world.namespace;
  const stable = plan.tracks[0]!;
  const provider = providers[router];
  checkPlan(provider, plan);
  const spans = spansVersions(provider);
  const wanted = stable.original ? { [POD_TEMPLATE_HASH_LABEL]: plan.originalPodTemplateHash ?? null, [APP_LABEL]: null, [VERSION_LABEL]: null } : { [APP_LABEL]: plan.app, [VERSION_LABEL]: spans ? null : stable.version, [POD_TEMPLATE_HASH_LABEL]: null };
  const annotations = stableAnnotations(provider, stable.version);
  for (const [i, svc] of world.stableServices.entries()) {
    const selector = (svc.spec as { selector?: Record<string, string> }).selector ?? {};
    const current = svc.metadata.annotations ?? {};
    if (Object.entries(wanted).every(([k, v]) => (v === null ? selector[k] === undefined : selector[k] === v)) && Object.entries(annotations).every(([k, v]) => current[k] === v)) continue;
    const patch = Object.keys(annotations).length === 0 ? { spec: { selector: wanted } } : { metadata: { annotations }, spec: { selector: wanted } };
    world.stableServices[i] = await kube.patch('v1', 'Service', ns, svc.metadata.name, 'merge', patch, { fieldManager: fieldManagerFor(svc) });
    change.services.push(svc.metadata.name);
  }
  for (const svc of world.stableServices) {
    if (isHeadless(svc)) continue;
    for (const track of plan.tracks) {
      const desired = versionService(chartView(svc), plan, track);
      if (world.versionServices.has(desired.metadata.name)) continue;
      await kube.apply(forApply(desired, ns));
      world.versionServices.add(desired.metadata.name);
      change.services.push(desired.metadata.name);
    }
  }
  await syncPreview(kube, world, plan, change);
  const routes = world.routes.filter((r) => provider.isRoute(r));
  if (routes.length > 0 || world.ingresses.length > 0) {
    const out = routeTraffic(provider, { plan, services: world.stableServices.map(chartView), routes: routes.map(cleanLiveObject), ingresses: world.ingresses.map(cleanLiveObject) });
    for (const [i, obj] of out.rewritten.entries()) {
      if (sameRoute(routes[i]!, obj)) continue;
      const written = await kube.apply(forApply(obj, ns), { fieldManager: fieldManagerFor(routes[i]) });
      world.routes[world.routes.indexOf(routes[i]!)] = written;
      change.routes.push(obj.metadata.name);
    }
    const keep = new Set<string>();
    // A generated stand-in for a chart route is the post-renderer's to create (it has the
    // chart's inputs, e.g. --gateway); the engine only rewrites it once it is live.
    for (const obj of out.generated.filter((o) => o.metadata.labels?.[ROLE_LABEL] !== 'route')) {
      keep.add(obj.metadata.name);
      const live = world.canaryRoutes.find((c) => c.metadata.name === obj.metadata.name);
      if (live !== undefined && sameRoute(live, obj)) continue;
      const written = await kube.apply(forApply(obj, ns), { fieldManager: fieldManagerFor(live) });
      world.canaryRoutes = [...world.canaryRoutes.filter((c) => c !== live), written];
      change.routes.push(obj.metadata.name);
    }
    for (const stale of world.canaryRoutes.filter((c) => !keep.has(c.metadata.name))) {
      await kube.delete(stale.apiVersion, stale.kind, ns, stale.metadata.name);
      world.canaryRoutes = world.canaryRoutes.filter((c) => c !== stale);
      change.deleted.push(`${stale.kind}/${stale.metadata.name}`);
    }
  }
  // The world now holds what was written: a decision made again on it (or the live view of
  // an analysis stage that starts on it) sees the selectors and weights just written.
  refreshTraffic(world);
  return change;
}

/** The blue-green preview Service `<svc>-preview` selects the preview version while there is one. */
async function syncPreview(kube: Kube, world: World, plan: AppPlan, change: TrafficChange): Promise<void> {
  const preview = plan.tracks.find((t) => t.role === 'preview');
  for (const svc of world.stableServices) {
    if (isHeadless(svc)) continue;
    const name = childName(svc.metadata.name, 'preview');
    const live = world.previewServices.get(name);
    if (preview === undefined) {
      if (live !== undefined && (await kube.delete('v1', 'Service', world.namespace, name))) change.deleted.push(`Service/${name}`);
      world.previewServices.delete(name);
      continue;
    }
    const desired = previewService(chartView(svc), plan, preview);
    const selector = (live?.spec as { selector?: Record<string, string> } | undefined)?.selector;
    if (selector !== undefined && JSON.stringify(selector) === JSON.stringify((desired.spec as { selector: Record<string, string> }).selector)) continue;
    world.previewServices.set(name, await kube.apply(forApply(desired, world.namespace)));
    change.services.push(name);
  }
}

/** A live stable Service seen as the chart wrote it (its selector without switchyard's keys). */
function chartView(svc: KubeObject): KubeObject {
  const out = cleanLiveObject(svc);
  const spec = out.spec as { selector?: Record<string, string>; clusterIP?: string; clusterIPs?: string[] };
  spec.selector = withoutTrackLabels(spec.selector ?? {});
  delete spec.clusterIP;
  delete spec.clusterIPs;
  return out;
}

function forApply(obj: KubeObject, namespace: string): KubeObject {
  const out = cleanLiveObject(obj);
  out.metadata.namespace = namespace;
  delete out.status;
  return out;
}

function sameRoute(live: KubeObject, desired: KubeObject): boolean {
  const ours = (o: KubeObject): string => JSON.stringify({ spec: o.spec, weights: o.metadata.annotations?.['switchyard.dev/weights'], backends: o.metadata.annotations?.['switchyard.dev/backends'] });
  return ours(live) === ours(desired);
}

/** Scales a Deployment (merge patch on spec.replicas); no-op when already there. */
export async function scale(kube: Kube, world: World, deployment: KubeObject | undefined, replicas: number): Promise<boolean> {
  if (deployment === undefined) return false;
  if ((deployment.spec as { replicas?: number }).replicas === replicas) return false;
  const scaled = await kube.patch('apps/v1', 'Deployment', world.namespace, deployment.metadata.name, 'merge', { spec: { replicas } }, { fieldManager: fieldManagerFor(deployment) });
  // The rest of this pass plans from the world: let it see the Deployment as written (its
  // new count and generation; its status is what the controller last reported).
  (deployment.spec as { replicas?: number }).replicas = replicas;
  if (scaled?.metadata !== undefined) Object.assign(deployment, { metadata: scaled.metadata, spec: scaled.spec, status: scaled.status });
  return true;
}

/** Points the app's HPAs, VPAs and ScaledObjects at `deployment` (kinds the cluster does not serve are skipped). */
export async function retargetScalers(kube: Kube, world: World, deployment: string): Promise<void> {
  // One list per kind, together (a kind the cluster does not serve costs one discovery call).
  const lists = await Promise.all(SCALER_KINDS.map(async ({ apiVersion, kind }) => {
    try {
      return (await kube.list(apiVersion, kind, world.namespace, { labelSelector: `${APP_LABEL}=${world.app}` })).items;
    } catch (err) {
      if (isKubeError(err, 'not-found')) return [];
      throw err;
    }
  }));
  for (const [i, { apiVersion, kind, field }] of SCALER_KINDS.entries()) {
    for (const scaler of lists[i]!) {
      const ref = (scaler.spec as Record<string, { name?: string } | undefined>)[field];
      if (ref === undefined || ref.name === deployment) continue;
      const written = await kube.patch(apiVersion, kind, world.namespace, scaler.metadata.name, 'merge', { spec: { [field]: { name: deployment } } }, { fieldManager: fieldManagerFor(scaler) });
      // The world holds the app's HPAs (capacity reads their maximum): keep them as written.
      world.scalers = world.scalers.map((s) => (s.kind === kind && s.metadata.name === scaler.metadata.name ? written : s));
    }
  }
}

/** Deletes a retired version, with its copies of the chart's config: its header routes must already be gone. */
export async function deleteVersion(kube: Kube, world: World, version: string): Promise<void> {
  const { items } = await kube.list('v1', 'Service', world.namespace, { labelSelector: `${APP_LABEL}=${world.app},${VERSION_LABEL}=${version}` });
  for (const svc of items) {
    if (svc.metadata.annotations?.[RENDERED_ANNOTATION] === undefined) continue;
    await kube.delete('v1', 'Service', world.namespace, svc.metadata.name);
    world.versionServices.delete(svc.metadata.name);
  }
  const d = world.deployments.get(version) ?? (world.original?.version === version ? world.original.deployment : undefined);
  if (d === undefined) return;
  await kube.delete('apps/v1', 'Deployment', world.namespace, d.metadata.name);
  if (world.deployments.get(version) === d) world.deployments.delete(version);
  else delete world.original;
  await deleteConfigCopies(kube, world.namespace, d);
}

