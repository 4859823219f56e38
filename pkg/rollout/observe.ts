import { isKubeError } from '../kube/index.ts';
import type { Kube } from '../kube/index.ts';
import { APP_LABEL, POD_TEMPLATE_HASH_LABEL, ROLE_LABEL, TEMPLATE_HASH_ANNOTATION, VERSION_LABEL, VERSION_SOURCE_ANNOTATION } from '../render/labels.ts';
import type { KubeObject, ObservedApp, ObservedState, ObservedVersion } from '../render/types.ts';
import { resolveVersion } from '../render/version.ts';
import { cleanLiveObject } from '../render/workload.ts';
import { kindKey, readWeights, routeKinds, servedRouters, STABLE_VERSION_ANNOTATION } from '../route/index.ts';
import type { RouterName } from '../route/index.ts';
import { parseState } from './store.ts';
import type { RolloutState } from './state.ts';

/** Everything switchyard keeps live for the apps of one namespace, from a few list calls. */
export interface LiveObjects {
  deployments: KubeObject[];
  services: KubeObject[];
  routes: KubeObject[];
  /** The traffic providers the cluster serves (their kinds are installed). */
  routers: RouterName[];
  /** switchyard's rollout state ConfigMaps. */
  states: KubeObject[];
}

/**
 * Lists the objects that tell an app's state: every Deployment of the namespace (the
 * versioned ones and any unversioned original), and the Services and routes switchyard
 * labelled (of every kind a provider writes). A kind the cluster does not serve (its CRD is not
 * installed) has no objects, and the providers that need it are not served.
 */
export async function listLive(kube: Kube, namespace: string): Promise<LiveObjects> {
  const labelled = { labelSelector: APP_LABEL };
  const optional = async (apiVersion: string, kind: string): Promise<KubeObject[] | undefined> => {
    try {
      return (await kube.list(apiVersion, kind, namespace, labelled)).items;
    } catch (err) {
      // A kind the cluster does not serve, or that the Role may not list, counts as not installed.
      if (isKubeError(err, 'not-found') || isKubeError(err, 'forbidden')) return undefined;
      throw err;
    }
  };
  const [deployments, services, routeLists, states] = await Promise.all([
    kube.list('apps/v1', 'Deployment', namespace).then((r) => r.items),
    kube.list('v1', 'Service', namespace, labelled).then((r) => r.items),
    Promise.all(routeKinds().map(async (k) => ({ key: kindKey(k), items: await optional(k.apiVersion, k.kind) }))),
    kube.list('v1', 'ConfigMap', namespace, { labelSelector: `${ROLE_LABEL}=state` }).then((r) => r.items),
  ]);
  const served = new Set(routeLists.filter((l) => l.items !== undefined).map((l) => l.key));
  return { deployments, services, routes: routeLists.flatMap((l) => l.items ?? []), routers: servedRouters(served), states };
}

/**
 * The observed state of `apps` (chart Deployment names) in `namespace`, read-only. The
 * stable version is what the stable Service selects; weights are what the routes carry.
 */
export async function observe(kube: Kube, namespace: string, apps: string[]): Promise<ObservedState> {
  return observeLive(kube, namespace, apps, await listLive(kube, namespace));
}

/** {@link observe} from objects listed already; reads only the ReplicaSets of an app being adopted. */
export async function observeLive(kube: Kube, namespace: string, apps: string[], live: LiveObjects): Promise<ObservedState> {
  const state: ObservedState = { apps: {}, cluster: { routers: live.routers } };
  for (const app of apps) {
    const observed = observeApp(app, live);
    const original = live.deployments.find((d) => d.metadata.name === app && isUnversioned(d));
    if (original !== undefined) {
      const version = safeVersion(original);
      observed.original = { manifest: cleanLiveObject(original), version };
      const hash = await currentPodTemplateHash(kube, namespace, original);
      if (hash !== undefined) observed.original.podTemplateHash = hash;
    }
    state.apps[app] = observed;
  }
  return state;
}

/** The state of one app from its live objects (no adoption information). */
export function observeApp(app: string, live: LiveObjects): ObservedApp {
  const mine = (o: KubeObject): boolean => o.metadata.labels?.[APP_LABEL] === app;
  const versions: Record<string, ObservedVersion> = {};
  for (const d of live.deployments.filter((x) => mine(x) && x.metadata.labels?.[ROLE_LABEL] === 'workload')) {
    const version = d.metadata.labels?.[VERSION_LABEL];
    if (version === undefined || d.metadata.deletionTimestamp !== undefined) continue;
    const spec = d.spec as { replicas?: number; template?: unknown } | undefined;
    const status = d.status as { readyReplicas?: number } | undefined;
    const seen: ObservedVersion = { version, deployment: d.metadata.name, replicas: spec?.replicas ?? 1, readyReplicas: status?.readyReplicas ?? 0 };
    const hash = d.metadata.annotations?.[TEMPLATE_HASH_ANNOTATION];
    const source = d.metadata.annotations?.[VERSION_SOURCE_ANNOTATION];
    if (hash !== undefined) seen.templateHash = hash;
    if (source !== undefined) seen.source = source;
    if (spec?.template !== undefined) seen.template = spec.template;
    if (d.metadata.labels !== undefined) seen.labels = d.metadata.labels;
    versions[version] = seen;
  }
  const observed: ObservedApp = { versions, weights: {} };
  const stableService = live.services.find((s) => mine(s) && s.metadata.labels?.[ROLE_LABEL] === 'stable-service');
  const stable = (stableService?.spec as { selector?: Record<string, string> } | undefined)?.selector?.[VERSION_LABEL] ?? stableService?.metadata.annotations?.[STABLE_VERSION_ANNOTATION];
  if (stable !== undefined) observed.stable = stable;
  for (const route of live.routes.filter(mine)) {
    const weights = readWeights(route);
    if (weights === undefined) continue;
    for (const [version, weight] of Object.entries(weights)) if (version !== stable && weight > 0) observed.weights[version] = weight;
    break;
  }
  // switchyard's recorded state is the intent: if traffic was moved behind its back (e.g.
  // helm rollback re-applied an old selector), render what switchyard says, not that.
  const recorded = recordedState(live.states.find(mine));
  if (recorded !== undefined && versions[recorded.stable] !== undefined && recorded.stable !== observed.stable) {
    observed.stable = recorded.stable;
    observed.weights = recorded.canary !== undefined && recorded.phase !== 'Degraded' && recorded.weight > 0 ? { [recorded.canary]: recorded.weight } : {};
  }
  if (recorded?.canary !== undefined) observed.canary = recorded.canary;
  return observed;
}

function recordedState(cm: KubeObject | undefined): RolloutState | undefined {
  if (cm === undefined) return undefined;
  try {
    return parseState(cm);
  } catch {
    return undefined;
  }
}

function isUnversioned(d: KubeObject): boolean {
  const role = d.metadata.labels?.[ROLE_LABEL];
  return role === undefined || role === 'original';
}

function safeVersion(d: KubeObject): string {
  try {
    return resolveVersion(d, undefined).version;
  } catch {
    return 'unversioned';
  }
}

/** The pod-template-hash of a Deployment's current ReplicaSet (the one at its revision). */
async function currentPodTemplateHash(kube: Kube, namespace: string, deployment: KubeObject): Promise<string | undefined> {
  const revision = deployment.metadata.annotations?.['deployment.kubernetes.io/revision'];
  const selector = (deployment.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector?.matchLabels ?? {};
  const labelSelector = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
  const { items } = await kube.list('apps/v1', 'ReplicaSet', namespace, { labelSelector });
  const owned = items.filter((rs) => (rs.metadata.ownerReferences as { uid?: string }[] | undefined)?.some((o) => o.uid === deployment.metadata.uid));
  const current = owned.find((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === revision) ?? owned[0];
  return current?.metadata.labels?.[POD_TEMPLATE_HASH_LABEL];
}
