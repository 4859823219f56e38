import { isKubeError } from '../kube/index.ts';
import type { Kube } from '../kube/index.ts';
import { APP_LABEL, POD_TEMPLATE_HASH_LABEL, resolveVersion, ROLE_LABEL, VERSION_LABEL } from '../render/index.ts';
import type { KubeObject } from '../render/index.ts';
import { ingressServiceNames, isRouterName, kindKey, readWeights, ROUTER_ANNOTATION, routeKinds, STABLE_VERSION_ANNOTATION } from '../route/index.ts';
import type { RouterName } from '../route/index.ts';

/** Everything live about one app that the engine reads or rewrites. */
export interface World {
  app: string;
  namespace: string;
  /** Versioned Deployments by version. */
  deployments: Map<string, KubeObject>;
  /** The chart's unversioned Deployment, while it is adopted (DESIGN.md scenario 7). */
  original?: { deployment: KubeObject; version: string; podTemplateHash?: string };
  /** The chart's Services, pinned to the stable version. */
  stableServices: KubeObject[];
  /** Names of the per-version Services that exist. */
  versionServices: Set<string>;
  /** Blue-green preview Services by name. */
  previewServices: Map<string, KubeObject>;
  /** Routes (of any provider's kind) switchyard rewrote, or generated in place of a chart route. */
  routes: KubeObject[];
  /** The chart's Ingresses that send traffic to the app's Services. */
  ingresses: KubeObject[];
  /** Generated canary objects of any provider's kind (e.g. NGINX canary Ingresses). */
  canaryRoutes: KubeObject[];
  /** HPAs/VPAs/ScaledObjects pointing at the stable version. */
  scalers: KubeObject[];
  /** The version the stable Services select (undefined while adopting). */
  liveStable?: string;
  /** The router the post-renderer recorded on a stable Service that spans versions. */
  router?: RouterName;
  /** The weights the routes carry, by version. */
  liveWeights: Record<string, number>;
  /** resourceVersion of the Deployment list, to watch for changes from. */
  listVersion: string;
  /** Container restarts plus failed pods, by version: read by the engine only ({@link readPods}). */
  restarts?: Record<string, number>;
  /** Ready, non-terminating pods by version: read by the engine only ({@link readPods}). */
  readyPods?: Record<string, number>;
}

const optional = async (p: Promise<{ items: KubeObject[] }>): Promise<KubeObject[]> => {
  try {
    return (await p).items;
  } catch (err) {
    if (isKubeError(err, 'not-found')) return [];
    throw err;
  }
};

/** Route kinds: one the cluster does not serve, or that the Role may not list, has no objects. */
const visible = async (p: Promise<{ items: KubeObject[] }>): Promise<KubeObject[]> => {
  try {
    return (await p).items;
  } catch (err) {
    if (isKubeError(err, 'not-found') || isKubeError(err, 'forbidden')) return [];
    throw err;
  }
};

/** The chart's Ingresses are read whole (they are not labelled): providers copy hosts and paths from them. */
const INGRESS = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' };

/** Reads the live objects of `app` in `namespace` (parallel calls: one per kind). */
export async function readWorld(kube: Kube, namespace: string, app: string): Promise<World> {
  const labelSelector = `${APP_LABEL}=${app}`;
  const kinds = routeKinds().filter((k) => kindKey(k) !== kindKey(INGRESS));
  const [deployments, original, services, routeLists, ingresses, scalers] = await Promise.all([
    kube.list('apps/v1', 'Deployment', namespace, { labelSelector }),
    kube.get('apps/v1', 'Deployment', namespace, app),
    kube.list('v1', 'Service', namespace, { labelSelector }).then((r) => r.items),
    Promise.all(kinds.map((k) => visible(kube.list(k.apiVersion, k.kind, namespace, { labelSelector })))),
    optional(kube.list(INGRESS.apiVersion, INGRESS.kind, namespace)),
    optional(kube.list('autoscaling/v2', 'HorizontalPodAutoscaler', namespace, { labelSelector })),
  ]);
  const routes = [...routeLists.flat(), ...ingresses.filter((i) => i.metadata.labels?.[APP_LABEL] === app)];
  const role = (o: KubeObject): string | undefined => o.metadata.labels?.[ROLE_LABEL];
  const world: World = {
    app,
    namespace,
    deployments: new Map(),
    stableServices: services.filter((s) => role(s) === 'stable-service'),
    versionServices: new Set(services.filter((s) => role(s) === 'version-service').map((s) => s.metadata.name)),
    previewServices: new Map(services.filter((s) => role(s) === 'preview-service').map((s) => [s.metadata.name, s])),
    routes: routes.filter((r) => role(r) === 'route'),
    ingresses: [],
    canaryRoutes: routes.filter((r) => role(r) === 'canary-route'),
    scalers: scalers.filter((s) => role(s) === 'scaler'),
    liveWeights: {},
    listVersion: deployments.resourceVersion,
  };
  for (const d of deployments.items) {
    const version = d.metadata.labels?.[VERSION_LABEL];
    if (role(d) === 'workload' && version !== undefined && d.metadata.deletionTimestamp === undefined) world.deployments.set(version, d);
  }
  const serviceNames = new Set(world.stableServices.map((s) => s.metadata.name));
  world.ingresses = ingresses.filter((i) => role(i) !== 'canary-route' && [...ingressServiceNames(i)].some((n) => serviceNames.has(n)));
  refreshTraffic(world);
  const selector = (world.stableServices[0]?.spec as { selector?: Record<string, string> } | undefined)?.selector;
  if (original !== undefined && (role(original) === undefined || role(original) === 'original')) {
    let version = 'unversioned';
    try {
      version = resolveVersion(original, undefined).version;
    } catch {
      // an unversioned original still serves; it is only ever the stable track
    }
    world.original = { deployment: original, version };
    const hash = selector?.[POD_TEMPLATE_HASH_LABEL];
    if (hash !== undefined) world.original.podTemplateHash = hash;
  }
  return world;
}

/**
 * Derives what the world says about traffic from its Services and routes: the version the
 * stable Services select, the router recorded on them and the weights the routes carry.
 * Called on a world as read, and again once the executor has put what it wrote into it.
 */
export function refreshTraffic(world: World): void {
  const selector = (world.stableServices[0]?.spec as { selector?: Record<string, string> } | undefined)?.selector;
  const annotations = world.stableServices[0]?.metadata.annotations ?? {};
  const liveStable = selector?.[VERSION_LABEL] ?? annotations[STABLE_VERSION_ANNOTATION];
  if (liveStable === undefined) delete world.liveStable;
  else world.liveStable = liveStable;
  const router = annotations[ROUTER_ANNOTATION];
  if (router !== undefined && isRouterName(router)) world.router = router;
  world.liveWeights = recordedWeights([...world.routes, ...world.canaryRoutes]);
}

/** What the pods of an app say, by version: read by the engine only ({@link readPods}). */
export interface PodCounts {
  /** Container restarts plus failed pods. */
  restarts: Record<string, number>;
  /** Pods that are Ready and not terminating. */
  ready: Record<string, number>;
}

/**
 * Restarts and ready pods of each version of `app` (one list of its pods). The ready count
 * is the pods' own word: a Deployment's readyReplicas is summed from its ReplicaSets'
 * statuses, which lag a scale to zero and back (it can report the terminating pods ready).
 */
export async function readPods(kube: Kube, namespace: string, app: string): Promise<PodCounts> {
  const { items } = await kube.list('v1', 'Pod', namespace, { labelSelector: `${APP_LABEL}=${app}` });
  const counts: PodCounts = { restarts: {}, ready: {} };
  for (const pod of items) {
    const version = pod.metadata.labels?.[VERSION_LABEL];
    if (version === undefined) continue;
    const status = pod.status as { phase?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { restartCount?: number }[] } | undefined;
    let count = status?.phase === 'Failed' ? 1 : 0;
    for (const c of status?.containerStatuses ?? []) count += c.restartCount ?? 0;
    counts.restarts[version] = (counts.restarts[version] ?? 0) + count;
    const ready = pod.metadata.deletionTimestamp === undefined && status?.phase === 'Running' && status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
    counts.ready[version] = (counts.ready[version] ?? 0) + (ready ? 1 : 0);
  }
  return counts;
}

/** The weights the first of `routes` that records them carries, by version; empty when none does. */
export function recordedWeights(routes: readonly KubeObject[]): Record<string, number> {
  for (const obj of routes) {
    const weights = readWeights(obj);
    if (weights !== undefined) return weights;
  }
  return {};
}

/** Route kinds: one the cluster does not serve, or that the Role may not list, has no objects. */
export async function listRoutes(kube: Kube, namespace: string | undefined, labelSelector: string): Promise<KubeObject[]> {
  const kinds = routeKinds().filter((k) => kindKey(k) !== kindKey(INGRESS));
  const lists = await Promise.all([...kinds, INGRESS].map((k) => visible(kube.list(k.apiVersion, k.kind, namespace, { labelSelector }))));
  return lists.flat();
}

/** Desired and ready replicas of a Deployment, and whether it is fully rolled out. */
export interface Readiness {
  replicas: number;
  ready: number;
  available: number;
  updated: boolean;
  /** Set when Kubernetes gave up on it (Progressing=False, ProgressDeadlineExceeded). */
  failed?: string;
}

/** The readiness of a Deployment from its status. */
export function readiness(d: KubeObject): Readiness {
  const spec = d.spec as { replicas?: number } | undefined;
  const status = (d.status ?? {}) as { readyReplicas?: number; availableReplicas?: number; updatedReplicas?: number; replicas?: number; observedGeneration?: number; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
  const replicas = spec?.replicas ?? 1;
  const generation = d.metadata.generation as number | undefined;
  const observed = generation === undefined || (status.observedGeneration ?? 0) >= generation;
  const out: Readiness = {
    replicas,
    ready: status.readyReplicas ?? 0,
    available: status.availableReplicas ?? 0,
    updated: observed && (status.updatedReplicas ?? 0) >= replicas && (status.replicas ?? 0) <= replicas,
  };
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') out.failed = progressing.message ?? 'ProgressDeadlineExceeded';
  return out;
}
