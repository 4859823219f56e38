import type { Document } from 'yaml';
import { outputByteParts, outputText } from '../manifest/index.ts';
import { RenderError } from './errors.ts';
import { HELM4_FILENAME_ANNOTATION } from './labels.ts';
import { isDns1123Subdomain, isDns1035Label, isLabelValue, MAX_NAME } from './naming.ts';
import { planApp, stableTrack } from './plan.ts';
import type { AppPlan } from './plan.ts';
import { edit, parseObject, printObject, splitInput } from './stream.ts';
import type { Edits, Origin, SourceDoc } from './stream.ts';
import type { KubeObject, ObservedApp, ObservedState, Strategy } from './types.ts';
import { configKey, configRefs } from './config.ts';
import { podTemplate, sameTemplate, templateIdentity } from './identity.ts';
import type { TemplateIdentity } from './identity.ts';
import { management } from './managed.ts';
import { childName } from './naming.ts';
import { nameNewVersion, resolveVersion } from './version.ts';
import type { VersionSource } from './version.ts';
import { chartReplicas, cleanLiveObject, configCopy, isHeadless, isRendered, mark, pinService, previewService, retargetScaler, SCALER_KINDS, serviceSelector, targetDeployment, versionDeployment, versionService } from './workload.ts';
import { selections } from './selection.ts';
import { describeDetection, ingressServiceNames, isAnyRoute, provider, routeKinds, routeServices, routeTraffic, selectRouter, spansVersions, stableServiceFor } from '../route/index.ts';
import type { ParentGateway, RouteProvider, RouterName } from '../route/index.ts';

/** Options of {@link render}. */
export interface RenderOptions {
  /**
   * The name of every new version (a workload whose pod template changed); default: see
   * {@link nameNewVersion}. Workloads whose template is unchanged keep their version.
   */
  version?: string;
  /** The name of one workload's new version, by Deployment name (`--version app=v`); wins over {@link version}. */
  versions?: Record<string, string>;
  /** Deployments to roll out by versions although no Service of the chart selects them. */
  include?: string[];
  /** Deployments to leave to Helm. */
  exclude?: string[];
  /** Default: `canary`. */
  strategy?: Strategy;
  /** Default: what the chart already uses, else what the cluster serves (see `selectRouter`). */
  router?: RouterName;
  /** Request header that selects a version. Default: `x-version`. */
  header?: string;
  /**
   * Asks for a generated HTTPRoute attached here, for every app with an HTTP Service port
   * whose Services no route or Ingress of the chart targets. Without it (or
   * {@link gateways}), such apps get their per-version Services and no route.
   */
  gateway?: ParentGateway;
  /** As {@link gateway}, for one app by Deployment name (`--gateway app=ns/name`). */
  gateways?: Record<string, ParentGateway>;
  /**
   * Print every changed document with yaml instead of editing its text where the text
   * allows (the output means the same; tests and benchmarks compare the two).
   */
  printWithYaml?: boolean;
}

/** What one app became. */
export interface AppSummary {
  app: string;
  /** The version this render deploys: a new one when the pod template changed, else the live one it matches. */
  version: string;
  /** Whether the version is new (its pod template matches no live version). */
  changed: boolean;
  /** Where the version's name came from. */
  source: VersionSource | 'live';
  router: RouterName;
  plan: AppPlan;
}

/** The transform's result. */
export interface RenderResult {
  /** The output stream. */
  readonly text: string;
  /**
   * The output stream as UTF-8. When the input came as bytes, the documents left as they
   * were are those bytes, copied rather than decoded and encoded again.
   */
  bytes(): Buffer;
  /** {@link bytes} as the parts it joins, for a writer that takes them as they are (no 8 MB copy). */
  byteParts(): readonly Uint8Array[];
  apps: AppSummary[];
  warnings: string[];
}

/** An input document the transform parsed. */
export interface Parsed {
  doc: SourceDoc;
  origin: Origin;
  object: KubeObject;
}

const WATCHED_KINDS = new Set(['Deployment', 'Service', 'Ingress', ...routeKinds().map((k) => k.kind), ...SCALER_KINDS.map((k) => k.kind), 'PersistentVolumeClaim']);

/**
 * The post-renderer's transform. A managed Deployment (see managed.ts) runs as one
 * Deployment per version, a version being one pod template (identity.ts): a render whose
 * template matches a live version keeps it, any other starts a new one beside the stable
 * version, with its own copies of the chart ConfigMaps and Secrets it reads. The chart's
 * Services are pinned to the stable version, each live version gets its own Service, and
 * the routes the chart already has (or the one `--gateway` asks for) carry the live weights
 * and a header route per serving version. Pure: the cluster's state comes in as `observed`.
 * Documents it does not change are copied byte for byte.
 */
export function render(input: string | Uint8Array, options: RenderOptions, observed: ObservedState): RenderResult {
  return renderPrepared(prepare(input), options, observed);
}

/** A split and partly parsed input stream, ready for {@link renderPrepared}. */
export interface Prepared {
  /** The names of the Deployments that become apps (not hooks, not already rendered). */
  readonly apps: string[];
  readonly docs: SourceDoc[];
  readonly parsed: Parsed[];
  /** The bytes the input came as (undefined when it came as text). */
  readonly input: { readonly bytes: Uint8Array | undefined };
}

/** Splits and validates the input and parses the documents the transform may change. */
export function prepare(input: string | Uint8Array): Prepared {
  const docs = splitInput(input);
  const parsed = docs.filter(needsParse).map((doc): Parsed => ({ doc, ...parseObject(doc) }));
  const apps = appDeployments(untouchedOf(parsed)).map((p) => p.object.metadata.name);
  return { apps, docs, parsed, input: { bytes: typeof input === 'string' ? undefined : input } };
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
  const edits: Edits = new Map();
  const warnings: string[] = duplicateKeyWarnings(docs);
  const apps: AppSummary[] = [];

  const candidates = appDeployments(untouched);
  const services = of('Service').filter((p) => serviceSelector(p.object) !== undefined);
  const ingresses = of('Ingress');
  const claims = new Map(of('PersistentVolumeClaim').map((p) => [p.object.metadata.name, p.object]));
  const configs = chartConfigs(docs);

  // Each pairing below is looked up in indexes built once: a release (or a stream of many)
  // with hundreds of Deployments and Services would otherwise compare every pair per app.
  const selected = selections(services, candidates);
  const isSelected = new Set([...selected.values()].flat());
  const deployments: Parsed[] = [];
  for (const dep of candidates) {
    const name = dep.object.metadata.name;
    const decision = management({ deployment: dep.object, selected: isSelected.has(dep), claims, include: options.include ?? [], exclude: options.exclude ?? [], observed: observed.apps[name] });
    if (decision.managed) deployments.push(dep);
    else warnings.push(`Deployment ${name} is left to Helm: ${decision.reason}`);
  }
  for (const name of [...(options.include ?? []), ...(options.exclude ?? []), ...Object.keys(options.versions ?? {}), ...Object.keys(options.gateways ?? {})]) {
    if (!candidates.some((d) => d.object.metadata.name === name)) warnings.push(`the flags name ${name}, which is no Deployment of this release`);
  }

  // The Services each Deployment alone is selected by (in the order of the chart).
  const ownServices = new Map<Parsed, Parsed[]>();
  const managedSet = new Set(deployments);
  for (const svc of services) {
    const list = selected.get(svc)!.filter((d) => managedSet.has(d));
    if (list.length > 1) warnings.push(`Service ${svc.object.metadata.name} selects the pods of ${list.map((d) => d.object.metadata.name).join(' and ')}; it is left as it is and spans their versions`);
    if (list.length === 1) ownServices.set(list[0]!, [...(ownServices.get(list[0]!) ?? []), svc]);
  }
  const ingressNames = new Map(ingresses.map((i) => [i, ingressServiceNames(i.object)]));
  const chartRoutes = untouched.filter((p) => isAnyRoute(p.object)).map((p) => ({ p, services: routeServices(p.object) }));
  const scalersOf = new Map<string, Parsed[]>();
  for (const p of untouched) {
    const target = targetDeployment(p.object);
    if (target !== undefined) scalersOf.set(target, [...(scalersOf.get(target) ?? []), p]);
  }
  const readers = configReaders(deployments, configs);

  for (const dep of deployments) {
    const app = dep.object.metadata.name;
    const observedApp = observed.apps[app];
    const identity = templateIdentity(dep.object, (key) => configs.get(key)?.object);
    const current = currentVersion(dep.object, identity, observedApp, options);
    if (!current.changed && options.versions?.[app] !== undefined) warnings.push(`--version ${app}=${options.versions[app]}: the pod template of ${app} is unchanged, so it stays at ${current.version}`);
    const plan = planApp({ app, version: current.version, strategy, header, observed: observedApp });
    const appServices = ownServices.get(dep) ?? [];
    const names = new Set(appServices.map((s) => s.object.metadata.name));
    const appIngresses = ingresses.filter((i) => intersects(ingressNames.get(i)!, names));
    const routes = chartRoutes.filter((r) => intersects(r.services, names)).map((r) => r.p);
    const routable = appServices.filter((s) => !isHeadless(s.object));
    const routed = routes.length > 0 || appIngresses.length > 0;
    const gateway = options.gateways?.[app] ?? (options.gateway !== undefined && routable.some((s) => hasHttpPort(s.object)) ? options.gateway : undefined);
    // A route is generated only when asked: --gateway (a Gateway API route) or --router.
    const asked = options.router ?? (!routed && gateway !== undefined ? 'gateway' : undefined);
    const choice = selectRouter({ router: asked, chart: { routes: routes.map((r) => r.object), ingresses: appIngresses.map((i) => i.object) }, served: observed.cluster?.routers });
    const router = provider(choice.name);
    apps.push({ app, version: current.version, changed: current.changed, source: current.source, router: choice.name, plan });
    if (current.changed && observedApp !== undefined) warnings.push(...staleConfigWarnings(app, observedApp, plan, configs));

    const copies = emitWorkload(dep, plan, observed, edits, { identity, current, rename: (key) => copyName(key, app, readers, plan), startEmpty: spansVersions(router) });
    for (const [key, name] of copies) {
      const source = configs.get(key)!;
      insertAfter(edits, source, [configCopy(source.object, plan, name)]);
    }
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
    // Routes only where traffic is routed: the chart's own routes, or where --gateway or
    // --router asks; the service router (no route objects) when the cluster serves no other.
    if (asked === 'gateway' && options.router === undefined && observed.cluster !== undefined && !observed.cluster.routers.includes('gateway')) {
      warnings.push(`Deployment ${app}: the cluster does not serve the Gateway API, so no HTTPRoute is generated for --gateway; traffic follows the stable Service`);
    } else if (choice.by !== 'cluster' && choice.by !== 'default') {
      emitRoutes(router, plan, routable, routes, appIngresses, gateway, edits, warnings);
    }
    for (const scaler of scalersOf.get(app) ?? []) replace(edits, scaler, retargetScaler(scaler.object, plan));
  }
  const pieces = edit(docs, edits, options.printWithYaml === true);
  const { input } = prepared;
  let text: string | undefined;
  const result: RenderResult = {
    get text() {
      text ??= outputText(pieces);
      return text;
    },
    byteParts: () => (input.bytes === undefined ? [Buffer.from(result.text, 'utf8')] : outputByteParts(pieces, input.bytes)),
    bytes: () => Buffer.concat(result.byteParts()),
    apps,
    warnings,
  };
  return result;
}

/** Kinds that never point at a workload, however their text reads (a CRD's schema names `targetRef`). */
const NEVER_REFERS = new Set(['CustomResourceDefinition', 'ConfigMap', 'Secret']);

function needsParse(doc: SourceDoc): boolean {
  if (WATCHED_KINDS.has(doc.kind)) return true;
  if (NEVER_REFERS.has(doc.kind)) return false;
  return doc.doc.includes('targetRef');
}

/** One warning per document with a repeated key: the API server reads the last one, and so does switchyard. */
function duplicateKeyWarnings(docs: SourceDoc[]): string[] {
  const out: string[] = [];
  for (const d of docs) {
    if (d.doc.duplicateKeys.length === 0) continue;
    const keys = [...new Set(d.doc.duplicateKeys.map((k) => JSON.stringify(k.key)))].join(', ');
    const first = d.doc.duplicateKeys[0]!;
    out.push(`document ${d.index + 1}${d.source === undefined ? '' : ` (${d.source})`}, ${d.kind} ${d.name}: the key ${keys} is repeated (line ${first.line}); the last one wins, as in the API server`);
  }
  return out;
}

/** The chart's ConfigMaps and Secrets (not hooks, not written by switchyard), parsed when first asked for. */
function chartConfigs(docs: SourceDoc[]): LazyConfigs {
  const sources = new Map<string, SourceDoc>();
  for (const d of docs) {
    if (d.apiVersion === 'v1' && (d.kind === 'ConfigMap' || d.kind === 'Secret') && !d.hook && !sources.has(configKey(d.kind, d.name))) sources.set(configKey(d.kind, d.name), d);
  }
  const parsed = new Map<string, Parsed | undefined>();
  return {
    has: (key) => sources.has(key),
    get: (key) => {
      if (!parsed.has(key)) {
        const doc = sources.get(key);
        const p = doc === undefined ? undefined : { doc, ...parseObject(doc) };
        parsed.set(key, p === undefined || isRendered(p.object) ? undefined : p);
      }
      return parsed.get(key);
    },
  };
}

interface LazyConfigs {
  has(key: string): boolean;
  get(key: string): Parsed | undefined;
}

/** For each chart config object, the managed apps whose pod templates read it. */
function configReaders(deployments: Parsed[], configs: LazyConfigs): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const dep of deployments) {
    for (const ref of configRefs(podTemplate(dep.object))) {
      const key = configKey(ref.kind, ref.name);
      if (!configs.has(key)) continue;
      const set = out.get(key) ?? new Set<string>();
      set.add(dep.object.metadata.name);
      out.set(key, set);
    }
  }
  return out;
}

/** The name of a version's copy of a chart config object: `<name>-<version>`, or `<name>-<app>-<version>` when several apps read it. */
function copyName(key: string, app: string, readers: Map<string, Set<string>>, plan: AppPlan): string {
  const name = key.slice(key.indexOf('/') + 1);
  const slug = plan.tracks.find((t) => t.version === plan.version)!.slug;
  return (readers.get(key)?.size ?? 0) > 1 ? childName(`${name}-${app}`, slug) : childName(name, slug);
}

/** The version a render deploys, and whether it is new. */
interface CurrentVersion {
  version: string;
  changed: boolean;
  source: VersionSource | 'live';
  /** A live version without a recorded identity (or the adopted original) that the chart's template matches: re-emitted as it was, config names included. */
  legacy: boolean;
}

/**
 * DESIGN.md, "A version is a pod template": the live version whose recorded identity (or,
 * for Deployments written before identities, whose pod template) is the chart's, else a
 * new version named by {@link nameNewVersion}.
 */
function currentVersion(chart: KubeObject, identity: TemplateIdentity, observed: ObservedApp | undefined, options: RenderOptions): CurrentVersion {
  const app = chart.metadata.name;
  const flag = options.versions?.[app] ?? options.version;
  const template = podTemplate(chart);
  const versions = Object.values(observed?.versions ?? {});
  const byHash = versions.find((v) => v.templateHash === identity.hash);
  if (byHash !== undefined) return { version: byHash.version, changed: false, source: 'live', legacy: false };
  const legacyName = (): string | undefined => {
    try {
      return resolveVersion(chart, undefined).version;
    } catch {
      return undefined;
    }
  };
  for (const v of versions) {
    if (v.templateHash !== undefined) continue;
    if (v.template !== undefined ? sameTemplate(template, v.template) : v.version === legacyName()) return { version: v.version, changed: false, source: 'live', legacy: true };
  }
  const original = observed?.original;
  if (original !== undefined && sameTemplate(template, podTemplate(original.manifest))) return { version: original.version, changed: false, source: 'live', legacy: true };
  const stable = observed?.stable === undefined ? undefined : observed.versions[observed.stable];
  // Told the stable version but not its template (--stable-version): the chart is that version when its name says so.
  if (observed?.stable !== undefined && stable === undefined && original === undefined && flag === undefined && legacyName() === observed.stable) {
    return { version: observed.stable, changed: false, source: 'live', legacy: true };
  }
  const stableTemplate = stable?.template ?? (original !== undefined ? podTemplate(original.manifest) : undefined);
  const taken = new Set([...versions.map((v) => v.version), ...(original === undefined ? [] : [original.version]), ...(observed?.stable === undefined ? [] : [observed.stable])]);
  const named = nameNewVersion({ chart, flag, stableTemplate, stableLabels: stable?.labels ?? original?.manifest.metadata.labels, hash: identity.hash, taken });
  return { version: named.version, changed: true, source: named.source, legacy: false };
}

/** Warnings for a stable version that reads chart config by its chart name (written before per-version config): the new content reaches it too. */
function staleConfigWarnings(app: string, observed: ObservedApp, plan: AppPlan, configs: LazyConfigs): string[] {
  const stable = stableTrack(plan);
  const original = observed.original?.manifest;
  const template = stable.original ? (original === undefined ? undefined : podTemplate(original)) : observed.versions[stable.version]?.template;
  const direct = configRefs(template).filter((ref) => configs.has(configKey(ref.kind, ref.name)));
  const names = [...new Set(direct.map((ref) => `${ref.kind} ${ref.name}`))];
  if (names.length === 0) return [];
  return [`Deployment ${app}: the stable version ${stable.version} reads ${names.join(', ')} by the chart's name (it predates per-version config), so the new content reaches its pods too; from ${plan.version} on, each version reads its own copy`];
}

const HTTP_PORT = /^(https?|h2c?|grpcs?|web|http2)([-_].*)?$/i;

/** Whether a Service has a port that looks like HTTP (by name, appProtocol or a usual number). */
function hasHttpPort(svc: KubeObject): boolean {
  const ports = (svc.spec as { ports?: { name?: string; appProtocol?: string; port?: number }[] } | undefined)?.ports ?? [];
  return ports.some((p) => HTTP_PORT.test(p.name ?? '') || /^(https?|kubernetes\.io\/h2c|kubernetes\.io\/wss?|grpc)$/i.test(p.appProtocol ?? '') || [80, 443, 8080, 8443, 8000, 3000, 5000, 9080].includes(Number(p.port)));
}

/** What {@link emitWorkload} needs besides the plan. */
interface WorkloadContext {
  identity: TemplateIdentity;
  current: CurrentVersion;
  /** The name of the current version's copy of a chart config object. */
  rename: (key: string) => string;
  /** The router splits traffic by replica counts: a new canary starts with no pod. */
  startEmpty: boolean;
}

/** Emits the app's Deployments; returns the config copies the current version reads (key → copy name). */
function emitWorkload(dep: Parsed, plan: AppPlan, observed: ObservedState, edits: Edits, ctx: WorkloadContext): Map<string, string> {
  const stable = stableTrack(plan);
  const current = plan.tracks.find((t) => t.version === plan.version)!;
  const original = observed.apps[plan.app]?.original;
  const copies = new Map<string, string>();
  const versioned = (): KubeObject => {
    const live = observed.apps[plan.app]?.versions[plan.version];
    const source = ctx.current.source === 'live' ? live?.source : ctx.current.source;
    const out = versionDeployment(dep.object, plan, current, { replicas: initialReplicas(dep.object, plan, observed, ctx.startEmpty), hash: ctx.identity.hash, ...(source === undefined ? {} : { source }) });
    if (ctx.current.legacy) return out;
    for (const ref of configRefs(podTemplate(out))) {
      const key = configKey(ref.kind, ref.name);
      if (!ctx.identity.configs.includes(key)) continue;
      const name = ctx.rename(key);
      ref.rename(name);
      copies.set(key, name);
    }
    return out;
  };
  if (stable.original && original !== undefined) {
    replace(edits, dep, mark(cleanLiveObject(original.manifest), plan.app, 'original'));
    if (!current.original) insertAfter(edits, dep, [versioned()]);
    return copies;
  }
  replace(edits, dep, versioned());
  // A promotion replaced the adopted Deployment, which switchyard keeps (scaled down) for
  // rollback until it is retired: emit it as it is live, or Helm would delete it.
  if (original !== undefined) insertAfter(edits, dep, [mark(cleanLiveObject(original.manifest), plan.app, 'original')]);
  return copies;
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
  entry.replace = { origin: target.origin, object: obj };
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

function intersects(a: Set<string>, b: Set<string>): boolean {
  for (const x of a) if (b.has(x)) return true;
  return false;
}
