import { cloneData } from '../manifest/clone.ts';
import { APP_LABEL, HELM_KEEP_ANNOTATION, POD_TEMPLATE_HASH_LABEL, RENDERED_ANNOTATION, ROLE_LABEL, STRATEGY_ANNOTATION, TEMPLATE_HASH_ANNOTATION, VERSION_LABEL, VERSION_SOURCE_ANNOTATION } from './labels.ts';
import type { Role } from './labels.ts';
import { childName } from './naming.ts';
import { stableTrack } from './plan.ts';
import type { AppPlan, Track } from './plan.ts';
import type { KubeObject } from './types.ts';

type Labels = Record<string, string>;
interface DeploymentSpec {
  replicas?: number;
  selector?: { matchLabels?: Labels; matchExpressions?: unknown[] };
  template?: { metadata?: { labels?: Labels; annotations?: Labels }; spec?: unknown };
  [key: string]: unknown;
}
interface ServiceSpec {
  selector?: Labels;
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: { nodePort?: number; [key: string]: unknown }[];
  [key: string]: unknown;
}

/**
 * Marks an object as written by switchyard for `app` in `role`. The adopted original
 * Deployment gets labels only: an annotation change bumps a Deployment's generation,
 * and it must stay exactly as it is live.
 */
export function mark<T extends KubeObject>(obj: T, app: string, role: Role): T {
  obj.metadata.labels = { ...obj.metadata.labels, [APP_LABEL]: app, [ROLE_LABEL]: role };
  if (role !== 'original') obj.metadata.annotations = { ...obj.metadata.annotations, [RENDERED_ANNOTATION]: 'true' };
  return obj;
}

/** Whether switchyard wrote this object (so a re-render leaves it alone). */
export function isRendered(obj: KubeObject): boolean {
  return obj.metadata.annotations?.[RENDERED_ANNOTATION] !== undefined || obj.metadata.labels?.[ROLE_LABEL] !== undefined;
}

/** The labels that put a pod in `track` of `plan`'s app. */
export function trackLabels(plan: AppPlan, track: Track): Labels {
  if (track.original) return plan.originalPodTemplateHash === undefined ? {} : { [POD_TEMPLATE_HASH_LABEL]: plan.originalPodTemplateHash };
  return { [APP_LABEL]: plan.app, [VERSION_LABEL]: track.version };
}

/** Options of {@link versionDeployment}. */
export interface VersionDeploymentOptions {
  /** Replica count to emit; `undefined` keeps the chart's (or leaves it to an HPA). */
  replicas?: number | undefined;
  /** The version's template identity, recorded as an annotation (see identity.ts). */
  hash?: string;
  /** Where the version's name came from, recorded as an annotation. */
  source?: string;
}

/**
 * The chart's Deployment turned into the Deployment of one version: renamed to
 * `<name>-<version>`, with app and version labels on metadata, selector and pod template,
 * and `helm.sh/resource-policy: keep` so a later Helm upgrade leaves it to switchyard.
 */
export function versionDeployment(chart: KubeObject, plan: AppPlan, track: Track, options: VersionDeploymentOptions = {}): KubeObject {
  const out = cloneData(chart);
  const ids = trackLabels(plan, track);
  out.metadata.name = track.deployment;
  mark(out, plan.app, 'workload');
  out.metadata.labels = { ...out.metadata.labels, [VERSION_LABEL]: track.version };
  out.metadata.annotations = { ...out.metadata.annotations, [HELM_KEEP_ANNOTATION]: 'keep', [STRATEGY_ANNOTATION]: plan.strategy };
  if (options.hash !== undefined) out.metadata.annotations[TEMPLATE_HASH_ANNOTATION] = options.hash;
  if (options.source !== undefined) out.metadata.annotations[VERSION_SOURCE_ANNOTATION] = options.source;
  const spec = (out.spec ?? {}) as DeploymentSpec;
  out.spec = spec;
  spec.selector = { ...spec.selector, matchLabels: { ...spec.selector?.matchLabels, ...ids } };
  spec.template = { ...spec.template, metadata: { ...spec.template?.metadata, labels: { ...spec.template?.metadata?.labels, ...ids } } };
  if (options.replicas !== undefined) spec.replicas = options.replicas;
  return out;
}

/** The chart's replica count of a Deployment, or undefined when it leaves it to an HPA. */
export function chartReplicas(chart: KubeObject): number | undefined {
  const replicas = (chart.spec as DeploymentSpec | undefined)?.replicas;
  return typeof replicas === 'number' ? replicas : undefined;
}

/** The pod template labels of a Deployment. */
export function podLabels(deployment: KubeObject): Labels {
  return { ...(deployment.spec as DeploymentSpec | undefined)?.template?.metadata?.labels };
}

/** The selector of a Service, or undefined when it has none. */
export function serviceSelector(service: KubeObject): Labels | undefined {
  const selector = (service.spec as ServiceSpec | undefined)?.selector;
  return selector === undefined || Object.keys(selector).length === 0 ? undefined : selector;
}

/** Whether a Service is headless (`clusterIP: None`). */
export function isHeadless(service: KubeObject): boolean {
  return (service.spec as ServiceSpec | undefined)?.clusterIP === 'None';
}

/** The chart's Service with its selector pinned to the stable version (its name is kept). */
export function pinService(chart: KubeObject, plan: AppPlan): KubeObject {
  const out = mark(cloneData(chart), plan.app, 'stable-service');
  const spec = out.spec as ServiceSpec;
  spec.selector = { ...withoutTrackLabels(spec.selector ?? {}), ...trackLabels(plan, stableTrack(plan)) };
  return out;
}

/**
 * A per-version Service `<svc>-<version>` selecting only `track`'s pods. Always a
 * ClusterIP Service (no node ports or load balancers are duplicated), with the chart
 * Service's ports.
 */
export function versionService(chart: KubeObject, plan: AppPlan, track: Track): KubeObject {
  return derivedService(chart, plan, childName(chart.metadata.name, track.slug), track, 'version-service');
}

/** The blue-green preview Service `<svc>-preview`, selecting `track`'s pods. */
export function previewService(chart: KubeObject, plan: AppPlan, track: Track): KubeObject {
  return derivedService(chart, plan, childName(chart.metadata.name, 'preview'), track, 'preview-service');
}

function derivedService(chart: KubeObject, plan: AppPlan, name: string, track: Track, role: Role): KubeObject {
  const src = (chart.spec ?? {}) as ServiceSpec;
  const spec: ServiceSpec = { type: 'ClusterIP' };
  if (src.ports !== undefined) spec.ports = src.ports.map(({ nodePort: _nodePort, ...port }) => port);
  for (const key of ['publishNotReadyAddresses', 'sessionAffinity', 'sessionAffinityConfig', 'ipFamilies', 'ipFamilyPolicy', 'trafficDistribution'] as const) {
    if (src[key] !== undefined) spec[key] = cloneData(src[key]);
  }
  spec.selector = { ...withoutTrackLabels(src.selector ?? {}), ...trackLabels(plan, track) };
  // Only switchyard's labels: a copy of the chart's would make ServiceMonitors and the like
  // that select the chart's Service by label scrape every pod once more per version.
  const metadata: KubeObject['metadata'] = { name, labels: { [VERSION_LABEL]: track.version } };
  if (chart.metadata.namespace !== undefined) metadata.namespace = chart.metadata.namespace;
  return mark({ apiVersion: 'v1', kind: 'Service', metadata, spec }, plan.app, role);
}

/** Labels (or a selector) without the ones switchyard adds to tell versions apart. */
export function withoutTrackLabels(selector: Labels): Labels {
  const { [APP_LABEL]: _a, [VERSION_LABEL]: _v, [POD_TEMPLATE_HASH_LABEL]: _h, ...rest } = selector;
  return rest;
}

/**
 * A version's copy `name` of a chart ConfigMap or Secret: the chart's object renamed, with
 * the app and version labels, and `helm.sh/resource-policy: keep` so a later upgrade
 * leaves it to switchyard, which deletes it with its version.
 */
export function configCopy(chart: KubeObject, plan: AppPlan, name: string): KubeObject {
  const out = mark(cloneData(chart), plan.app, 'config');
  out.metadata.name = name;
  out.metadata.labels = { ...out.metadata.labels, [VERSION_LABEL]: plan.version };
  out.metadata.annotations = { ...out.metadata.annotations, [HELM_KEEP_ANNOTATION]: 'keep' };
  return out;
}

/** A kind that points at a workload by name (HPA, VPA, KEDA ScaledObject), and the field that does. */
export interface ScalerKind {
  apiVersion: string;
  kind: string;
  field: 'scaleTargetRef' | 'targetRef';
}

/** Every scaler kind switchyard retargets, in the order the engine writes them. */
export const SCALER_KINDS: readonly ScalerKind[] = [
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', field: 'scaleTargetRef' },
  { apiVersion: 'autoscaling.k8s.io/v1', kind: 'VerticalPodAutoscaler', field: 'targetRef' },
  { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', field: 'scaleTargetRef' },
];

const SCALER_REFS: Record<string, string> = Object.fromEntries(SCALER_KINDS.map((k) => [k.kind, k.field]));

/** The name of the Deployment `obj` points at (an HPA, VPA or KEDA ScaledObject), if it points at one. */
export function targetDeployment(obj: KubeObject): string | undefined {
  const field = SCALER_REFS[obj.kind] ?? (hasRef(obj, 'scaleTargetRef') ? 'scaleTargetRef' : hasRef(obj, 'targetRef') ? 'targetRef' : undefined);
  if (field === undefined) return undefined;
  const ref = (obj.spec as Record<string, { kind?: string; name?: string } | undefined>)[field];
  return ref?.name !== undefined && (ref.kind === undefined || ref.kind === 'Deployment') ? ref.name : undefined;
}

function hasRef(obj: KubeObject, field: string): boolean {
  const ref = (obj.spec as Record<string, unknown> | undefined)?.[field];
  return typeof ref === 'object' && ref !== null && 'name' in ref;
}

/** An HPA, VPA or ScaledObject retargeted from the chart's Deployment to the stable version's. */
export function retargetScaler(obj: KubeObject, plan: AppPlan): KubeObject {
  const out = mark(cloneData(obj), plan.app, 'scaler');
  const spec = out.spec as Record<string, { name?: string } | undefined>;
  for (const field of ['scaleTargetRef', 'targetRef']) {
    const ref = spec[field];
    if (ref?.name === plan.app) ref.name = stableTrack(plan).deployment;
  }
  return out;
}

const SERVER_SET_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'ownerReferences'];
const SERVER_SET_ANNOTATIONS = ['deployment.kubernetes.io/revision', 'kubectl.kubernetes.io/last-applied-configuration'];

/** A live object as a manifest: status and server-set metadata removed, so it can be re-applied unchanged. */
export function cleanLiveObject(live: KubeObject): KubeObject {
  const { status: _status, ...rest } = cloneData(live);
  const out = rest as KubeObject;
  for (const key of SERVER_SET_METADATA) delete out.metadata[key];
  if (out.metadata.annotations !== undefined) {
    for (const key of SERVER_SET_ANNOTATIONS) delete out.metadata.annotations[key];
    if (Object.keys(out.metadata.annotations).length === 0) delete out.metadata.annotations;
  }
  return out;
}
