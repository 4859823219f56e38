import type { Document } from 'yaml';
import { RenderError } from './errors.ts';
import { HELM4_FILENAME_ANNOTATION } from './labels.ts';
import { isDns1123Subdomain, isDns1035Label, isLabelValue, MAX_NAME } from './naming.ts';
import { planApp, stableTrack } from './plan.ts';
import type { AppPlan } from './plan.ts';
import { edit, parseObject, printObject, splitInput } from './stream.ts';
import type { Edits, SourceDoc } from './stream.ts';
import type { KubeObject, ObservedState, Strategy } from './types.ts';
import { resolveVersion } from './version.ts';
import { chartReplicas, cleanLiveObject, isHeadless, isRendered, mark, pinService, podLabels, previewService, retargetScaler, serviceSelector, targetsDeployment, versionDeployment, versionService } from './workload.ts';
import { describeDetection, ingressServiceNames, isAnyRoute, provider, routeKinds, routeServices, routeTraffic, selectRouter, spansVersions, stableServiceFor } from '../route/index.ts';
import type { ParentGateway, RouteProvider, RouterName } from '../route/index.ts';

/** Options of {@link render}. */
export interface RenderOptions {
  /** The version to deploy; default: each Deployment's `app.kubernetes.io/version` label, else its image tag. */
  version?: string;
  /** Default: `canary`. */
  strategy?: Strategy;
  /** Default: what the chart already uses, else what the cluster serves (see `selectRouter`). */
  router?: RouterName;
  /** Request header that selects a version. Default: `x-version`. */
  header?: string;
  /** Where a generated HTTPRoute attaches. */
  gateway?: ParentGateway;
}

/** What one app became. */
export interface AppSummary {
  app: string;
  version: string;
  router: RouterName;
  plan: AppPlan;
}

/** The transform's result. */
export interface RenderResult {
  text: string;
  apps: AppSummary[];
  warnings: string[];
}

/** An input document the transform parsed. */
export interface Parsed {
  doc: SourceDoc;
  document: Document;
  object: KubeObject;
}

const WATCHED_KINDS = new Set(['Deployment', 'Service', 'Ingress', ...routeKinds().map((k) => k.kind), 'HorizontalPodAutoscaler', 'VerticalPodAutoscaler', 'ScaledObject']);

/**
 * The post-renderer's transform: every Deployment becomes a versioned Deployment, the
 * chart's Services are pinned to the stable version, each live version gets its own
 * Service and header route, and routes carry the live weights. Pure: the cluster's state
 * comes in as `observed`. Documents it does not change are copied byte for byte.
 */
export function render(input: string, options: RenderOptions, observed: ObservedState): RenderResult {
  return renderPrepared(prepare(input), options, observed);
}

/** A split and partly parsed input stream, ready for {@link renderPrepared}. */
export interface Prepared {
  /** The names of the Deployments that become apps (not hooks, not already rendered). */
  readonly apps: string[];
  readonly docs: SourceDoc[];
  readonly parsed: Parsed[];
}

/** Splits and validates the input and parses the documents the transform may change. */
export function prepare(input: string): Prepared {
  const docs = splitInput(input);
  const parsed = docs.filter(needsParse).map((doc): Parsed => ({ doc, ...parseObject(doc) }));
  const apps = appDeployments(untouchedOf(parsed)).map((p) => p.object.metadata.name);
  return { apps, docs, parsed };
}

function untouchedOf(parsed: Parsed[]): Parsed[] {
  return parsed.filter((p) => !isRendered(p.object) && !p.doc.hook);
}

function appDeployments(untouched: Parsed[]): Parsed[] {
  return untouched.filter((p) => p.object.kind === 'Deployment' && p.object.apiVersion === 'apps/v1');
}

/** {@link render} on an already prepared input. */
export function renderPrepared(prepared: Prepared, options: RenderOptions, observed: ObservedState): RenderResult {
  const strategy = options.strategy ?? 'canary';
  const header = options.header ?? 'x-version';
  if (!/^[A-Za-z0-9-]{1,63}$/.test(header)) throw new RenderError('bad-option', `header "${header}" is not a valid HTTP header name`);
  const { docs } = prepared;
  const untouched = untouchedOf(prepared.parsed);
  const of = (kind: string): Parsed[] => untouched.filter((p) => p.object.kind === kind);

  const deployments = appDeployments(untouched);
  const services = of('Service').filter((p) => serviceSelector(p.object) !== undefined);
  const ingresses = of('Ingress');
  const edits: Edits = new Map();
  const warnings: string[] = [];
  const apps: AppSummary[] = [];

  const owners = new Map<Parsed, Parsed[]>();
  for (const svc of services) owners.set(svc, deployments.filter((d) => selects(serviceSelector(svc.object)!, podLabels(d.object))));
  for (const [svc, list] of owners) {
    if (list.length > 1) warnings.push(`Service ${svc.object.metadata.name} selects the pods of ${list.map((d) => d.object.metadata.name).join(' and ')}; it is left as it is and spans their versions`);
  }

  for (const dep of deployments) {
    const app = dep.object.metadata.name;
    const { version } = resolveVersion(dep.object, options.version);
    const plan = planApp({ app, version, strategy, header, observed: observed.apps[app] });
    const appServices = services.filter((s) => owners.get(s)?.length === 1 && owners.get(s)?.[0] === dep);
    const names = new Set(appServices.map((s) => s.object.metadata.name));
    const appIngresses = ingresses.filter((i) => intersects(ingressServiceNames(i.object), names));
    const routes = untouched.filter((p) => isAnyRoute(p.object) && intersects(routeServices(p.object), names));
    const choice = selectRouter({ router: options.router, chart: { routes: routes.map((r) => r.object), ingresses: appIngresses.map((i) => i.object) }, served: observed.cluster?.routers });
    const router = provider(choice.name);
    apps.push({ app, version, router: choice.name, plan });

    emitWorkload(dep, plan, observed, edits, spansVersions(router));
    for (const svc of appServices) {
      const routable = !isHeadless(svc.object);
      replace(edits, svc, stableServiceFor(router, pinService(svc.object, plan), plan));
      if (!routable) continue;
      const extra = plan.tracks.map((t) => versionService(svc.object, plan, t));
      const preview = plan.tracks.find((t) => t.role === 'preview');
      if (preview !== undefined) extra.push(previewService(svc.object, plan, preview));
      insertAfter(edits, svc, extra);
    }
    if (choice.by === 'fallback' && appServices.length > 0) {
      warnings.push(`Deployment ${app}: the cluster serves none of ${describeDetection()}, so router ${choice.name} splits its traffic (pass --router to choose)`);
    }
    emitRoutes(router, plan, appServices.filter((s) => !isHeadless(s.object)), routes, appIngresses, options.gateway, edits, warnings);
    for (const scaler of untouched.filter((p) => targetsDeployment(p.object, app))) replace(edits, scaler, retargetScaler(scaler.object, plan));
  }
  return { text: edit(docs, edits), apps, warnings };
}

function needsParse(doc: SourceDoc): boolean {
  if (WATCHED_KINDS.has(doc.kind)) return true;
  return doc.body.includes('scaleTargetRef') || doc.body.includes('targetRef');
}

function emitWorkload(dep: Parsed, plan: AppPlan, observed: ObservedState, edits: Edits, startEmpty: boolean): void {
  const stable = stableTrack(plan);
  const current = plan.tracks.find((t) => t.version === plan.version)!;
  const original = observed.apps[plan.app]?.original;
  if (stable.original && original !== undefined) {
    const kept = mark(cleanLiveObject(original.manifest), plan.app, 'original');
    if (current.original) {
      replace(edits, dep, kept);
      return;
    }
    replace(edits, dep, kept);
    insertAfter(edits, dep, [versionDeployment(dep.object, plan, current, { replicas: initialReplicas(dep.object, plan, observed, startEmpty) })]);
    return;
  }
  replace(edits, dep, versionDeployment(dep.object, plan, current, { replicas: initialReplicas(dep.object, plan, observed, startEmpty) }));
  // A promotion replaced the adopted Deployment, which switchyard keeps (scaled down) for
  // rollback until it is retired: emit it as it is live, or Helm would delete it.
  if (original !== undefined) insertAfter(edits, dep, [mark(cleanLiveObject(original.manifest), plan.app, 'original')]);
}

/**
 * How many replicas the rendered version's Deployment gets. The stable version and a first
 * install get the chart's count; a version already live keeps what switchyard scaled it
 * to; a new canary starts with one pod (reachable by header, no traffic), or none when
 * `startEmpty` (the router splits by replica counts); a new blue-green
 * version comes up at full size.
 */
function initialReplicas(chart: KubeObject, plan: AppPlan, observed: ObservedState, startEmpty: boolean): number | undefined {
  const wanted = chartReplicas(chart);
  const track = plan.tracks.find((t) => t.version === plan.version)!;
  if (track.role === 'stable') return wanted;
  const live = observed.apps[plan.app]?.versions[plan.version];
  if (plan.strategy === 'bluegreen') return wanted ?? live?.replicas;
  // Where replica counts split the traffic, a pod is traffic: only switchyard adds them.
  if (startEmpty) return live?.replicas ?? 0;
  if (live !== undefined) return Math.max(live.replicas, wanted === 0 ? 0 : 1);
  return wanted === 0 ? 0 : 1;
}

function emitRoutes(router: RouteProvider, plan: AppPlan, services: Parsed[], routes: Parsed[], ingresses: Parsed[], gateway: ParentGateway | undefined, edits: Edits, warnings: string[]): void {
  if (services.length === 0) return;
  const owned = routes.filter((r) => router.isRoute(r.object));
  const out = routeTraffic(router, {
    plan,
    services: services.map((s) => s.object),
    routes: owned.map((r) => r.object),
    ingresses: ingresses.map((i) => i.object),
    ...(gateway === undefined ? {} : { gateway }),
  });
  out.rewritten.forEach((obj, i) => replace(edits, owned[i]!, obj));
  const anchor = [...services, ...ingresses, ...owned].sort((a, b) => a.doc.index - b.doc.index).at(-1)!;
  insertAfter(edits, anchor, out.generated);
  warnings.push(...out.warnings);
}

function replace(edits: Edits, target: Parsed, obj: KubeObject): void {
  validate(obj);
  const entry = edits.get(target.doc.index) ?? { after: [] };
  entry.replace = { document: target.document, object: obj };
  edits.set(target.doc.index, entry);
}

function insertAfter(edits: Edits, anchor: Parsed, objects: KubeObject[]): void {
  const filename = anchor.object.metadata.annotations?.[HELM4_FILENAME_ANNOTATION];
  const entry = edits.get(anchor.doc.index) ?? { after: [] };
  for (const obj of objects) {
    if (filename !== undefined) obj.metadata.annotations = { ...obj.metadata.annotations, [HELM4_FILENAME_ANNOTATION]: filename };
    validate(obj);
    entry.after.push(printObject(obj));
  }
  edits.set(anchor.doc.index, entry);
}

/** Every object switchyard writes has a valid name and valid label values. */
function validate(obj: KubeObject): void {
  const name = obj.metadata.name;
  const ok = obj.kind === 'Service' ? isDns1035Label(name) : isDns1123Subdomain(name) && (obj.kind !== 'Deployment' || name.length <= MAX_NAME);
  if (!ok) throw new RenderError('invalid-object', `${obj.kind} ${name}: not a valid object name`);
  for (const [key, value] of Object.entries(obj.metadata.labels ?? {})) {
    if (!isLabelValue(String(value))) throw new RenderError('invalid-object', `${obj.kind} ${name}: label ${key}="${value}" is not a valid label value`);
  }
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === String(v));
}

function intersects(a: Set<string>, b: Set<string>): boolean {
  for (const x of a) if (b.has(x)) return true;
  return false;
}
