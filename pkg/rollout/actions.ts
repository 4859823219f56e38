import { isKubeError } from '../kube/index.ts';
import type { Kube } from '../kube/index.ts';
import { APP_LABEL, ROLE_LABEL } from '../render/index.ts';
import type { KubeObject } from '../render/index.ts';
import { SCALER_KINDS } from '../render/workload.ts';
import { deleteConfigCopies } from './config-copies.ts';
import { routeKinds } from '../route/index.ts';
import { drive, readApp } from './engine.ts';
import type { AppRead, DriveOptions, DriveResult, DriveStart, EngineDeps } from './engine.ts';
import { acquireLease, holderIdentity, LeaseHeld } from './lease.ts';
import type { LeaseOptions, Lock } from './lease.ts';
import { initialState, reconcile } from './reconcile.ts';
import { request } from './requests.ts';
import { buildStatus } from './status.ts';
import { stateName } from './state.ts';
import type { ControlRequest, RolloutState } from './state.ts';
import { parseState, readState, StateConflict, writeState } from './store.ts';
import type { AppStatus, HistoryView } from './view.ts';
import { listRoutes, readWorld, recordedWeights } from './world.ts';
import type { ReadVersions } from './watch.ts';

/** A control command found nothing to do (e.g. `switch` after the switch already happened): exit 0. */
export class NothingToDo extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NothingToDo';
  }
}

/** Options of {@link runRollout} and the control actions. */
export interface RunOptions extends DriveOptions {
  /** Take over a lease held by someone else. */
  force: boolean;
  /** How often the lease is renewed. Default: a third of its duration. */
  leaseRenewMs?: number;
}

/**
 * `deps` for a drive under `lock`: writes are refused once the lease is lost and waits
 * end at once; {@link Lock.check} after the drive turns that into the LeaseLost error.
 */
export function underLock(deps: EngineDeps, lock: Lock): EngineDeps {
  const signal = deps.signal === undefined ? lock.lost : AbortSignal.any([deps.signal, lock.lost]);
  return { ...deps, kube: lock.guard(deps.kube), signal };
}

function takeLease(deps: EngineDeps, options: RunOptions, taking?: () => void): Promise<Lock> {
  const lease: LeaseOptions = { force: options.force, now: deps.now, renewEveryMs: options.leaseRenewMs };
  if (taking !== undefined) lease.taking = taking;
  return acquireLease(deps.kube, deps.namespace, deps.app, lease);
}

async function driveUnder(deps: EngineDeps, lock: Lock, options: DriveOptions, start?: DriveStart): Promise<DriveResult> {
  try {
    return await drive(underLock(deps, lock), options, start);
  } finally {
    lock.check();
  }
}

/** Drives an app to the end of its rollout (or as far as it can without waiting). */
export async function runRollout(deps: EngineDeps, options: RunOptions): Promise<DriveResult> {
  const lock = await takeLease(deps, options);
  try {
    return await driveUnder(deps, lock, options);
  } finally {
    await lock.release();
  }
}

/** What a control action did. */
export type ControlResult =
  | { kind: 'done'; result: DriveResult }
  | { kind: 'delegated'; holder: string }
  /** Nothing left to ask; when this command holds the lease it still drove once to converge (`result`). */
  | { kind: 'nothing'; message: string; result?: DriveResult };

/**
 * `promote`, `pause`, `resume`, `abort`, `retry`, `undo`, `set-weight`: stores the request
 * in the app's state. If another command drives the app, it carries the request out (it
 * watches the state); otherwise this command takes the lease and drives until the request
 * is done (or, without `wait`, as far as it can without waiting).
 */
export async function control(deps: EngineDeps, kind: ControlRequest['kind'], options: RunOptions, extra: { reason?: string; target?: string; weight?: number } = {}): Promise<ControlResult> {
  const req = request(kind, holderIdentity(), deps.now(), extra);
  let reading: Promise<AppRead> | undefined;
  let lock: Lock;
  try {
    // The app is read while the lease is written: one round trip less before the first write.
    lock = await takeLease(deps, options, () => {
      reading = readApp(deps.kube, deps.namespace, deps.app);
      reading.catch(() => undefined);
    });
  } catch (err) {
    if (!(err instanceof LeaseHeld)) throw err;
    try {
      await storeRequest(deps, req, options);
    } catch (nothing) {
      if (nothing instanceof NothingToDo) return { kind: 'nothing', message: nothing.message };
      throw nothing;
    }
    return { kind: 'delegated', holder: err.holder };
  }
  try {
    const read = await (reading ?? readApp(deps.kube, deps.namespace, deps.app));
    const drives = { ...options, stopAtPause: true };
    let checked: ControlRequest;
    try {
      checked = checkRequest(deps, read, req, options).request;
    } catch (err) {
      // Nothing left to ask (e.g. a switch that a killed command already made): still
      // converge what is live — a half-applied flip is finished by this drive.
      if (!(err instanceof NothingToDo)) throw err;
      return { kind: 'nothing', message: err.message, result: await driveUnder(deps, lock, drives, { read }) };
    }
    // Holding the lease, the request goes straight into the first decision: the state is
    // written once, with the request carried out (killed before that, nothing happened).
    return { kind: 'done', result: await driveUnder(deps, lock, drives, { read, request: checked }) };
  } finally {
    await lock.release();
  }
}

/**
 * Refuses a request the app cannot take (or that there is nothing left to do for); returns
 * the state it applies to and the request as it applies there (see {@link resolveRequest}).
 */
function checkRequest(deps: EngineDeps, read: AppRead, req: ControlRequest, options: RunOptions): { state: RolloutState; request: ControlRequest } {
  const { stored, world } = read;
  if (stored === undefined && world.deployments.size === 0 && world.original === undefined) throw new Error(`no app "${deps.app}" in namespace ${deps.namespace}`);
  const state = reconcile(stored?.state ?? initialState(world, options.settings, deps.now()), world, options.settings, deps.now());
  const resolved = resolveRequest(state, req);
  validate(state, resolved);
  return { state, request: resolved };
}

/**
 * `switch --to <version>` is a full promotion when the version is the preview (or canary),
 * else a rollback to that retained version: decided on the state the request applies to.
 */
export function resolveRequest(state: RolloutState, req: ControlRequest): ControlRequest {
  if (req.kind !== 'promote-full' || req.target === undefined || req.target === state.canary) return req;
  return { ...req, kind: 'undo' };
}

/** Stores `req` in the state for the command that holds the lease to carry out. */
async function storeRequest(deps: EngineDeps, req: ControlRequest, options: RunOptions): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const read = await readApp(deps.kube, deps.namespace, deps.app);
    const { state, request: resolved } = checkRequest(deps, read, req, options);
    state.request = resolved;
    try {
      await writeState(deps.kube, deps.namespace, { state, resourceVersion: read.stored?.resourceVersion });
      return;
    } catch (err) {
      if (!(err instanceof StateConflict)) throw err;
    }
  }
  throw new Error(`could not record the ${req.kind} request: the state of ${deps.app} keeps changing`);
}

function validate(state: RolloutState, req: ControlRequest): void {
  const app = state.app;
  const rolling = state.canary !== undefined && state.phase !== 'Healthy';
  switch (req.kind) {
    case 'undo': {
      // An undo already under way (the command that asked for it was killed): finish it.
      if (state.undo === true && state.canary !== undefined && state.phase !== 'Healthy' && (req.target === undefined || req.target === state.canary)) {
        throw new NothingToDo(`${app}: the undo to ${state.canary} is already under way; finishing it`);
      }
      const target = req.target ?? state.retained.find((r) => r.aborted !== true)?.version;
      if (target === undefined) throw new Error(`${app}: no previous good version is retained to go back to${state.retained.length > 0 ? ` (only never-promoted ones: ${state.retained.map((r) => r.version).join(', ')}; name one with --to-version)` : ''}`);
      if (target === state.stable) {
        // `undo --to-version X` run again after X became stable has nothing left to do.
        if (req.target !== undefined) throw new NothingToDo(`${app}: ${target} is already stable`);
        throw new Error(`${app}: ${target} is already stable`);
      }
      if (req.target !== undefined && !state.retained.some((r) => r.version === req.target) && state.canary !== req.target) {
        throw new Error(`${app}: version ${req.target} is not live; retained: ${state.retained.map((r) => r.version).join(', ') || 'none'}`);
      }
      return;
    }
    case 'retry':
      if (state.phase !== 'Degraded') throw new Error(`${app} is ${state.phase}, not Degraded: nothing to retry`);
      return;
    case 'promote':
    case 'promote-full':
      if (!rolling) throw new NothingToDo(`${app}: nothing to promote: ${state.stable} is ${state.strategy === 'bluegreen' ? 'active' : 'stable'} and no new version is waiting`);
      return;
    case 'abort':
    case 'pause':
    case 'resume':
    case 'set-weight':
      if (!rolling) throw new Error(`${app} has no rollout in progress (phase ${state.phase}, stable ${state.stable})`);
      return;
  }
}

/** The status of one app (read-only: never writes the state). */
export async function appStatus(kube: Kube, namespace: string, app: string, now: number): Promise<AppStatus> {
  return (await readStatus(kube, namespace, app, now)).view;
}

/** {@link appStatus}, with the resourceVersions it read, to watch for the next change from. */
export async function readStatus(kube: Kube, namespace: string, app: string, now: number): Promise<{ view: AppStatus; read: ReadVersions }> {
  const [world, stored] = await Promise.all([readWorld(kube, namespace, app), readState(kube, namespace, app)]);
  if (world.deployments.size === 0 && world.original === undefined && stored === undefined) throw new Error(`no app "${app}" in namespace ${namespace}`);
  const state = reconcile(stored?.state ?? initialState(world, {}, now), world, {}, now);
  const view = buildStatus(state, world, [], now);
  if (world.liveStable !== undefined && world.liveStable !== state.stable) {
    const pods = world.deployments.get(world.liveStable);
    view.phase = 'Degraded';
    view.message = `the stable Service selects ${world.liveStable}${pods === undefined ? '' : ` (${(pods.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0} ready pods)`}, not ${state.stable}: changed outside switchyard (e.g. helm rollback); "run" restores ${state.stable}, "undo" rolls back properly`;
  }
  return { view, read: { deployments: world.listVersion, state: stored?.resourceVersion } };
}

/**
 * The names of the apps switchyard manages in a namespace, sorted: those with a stored
 * state and those with versioned Deployments (two label-selected lists, for completion).
 */
export async function appNames(kube: Kube, namespace: string): Promise<string[]> {
  const [states, deployments] = await Promise.all([
    kube.list('v1', 'ConfigMap', namespace, { labelSelector: `${ROLE_LABEL}=state` }),
    kube.list('apps/v1', 'Deployment', namespace, { labelSelector: `${ROLE_LABEL}=workload` }),
  ]);
  const names = new Set<string>();
  for (const o of [...states.items, ...deployments.items]) {
    const app = o.metadata.labels?.[APP_LABEL];
    if (app !== undefined && app !== '') names.add(app);
  }
  return [...names].sort();
}

/**
 * Every app of a namespace (or all namespaces) with a constant number of API calls: one
 * list of state ConfigMaps, one of versioned Deployments and one per route kind (for the
 * weights the routes carry; a kind the caller may not list is skipped), whatever the number of apps.
 */
export async function listApps(kube: Kube, namespace: string | undefined, now: number): Promise<AppStatus[]> {
  const [states, deployments, routes] = await Promise.all([
    kube.list('v1', 'ConfigMap', namespace, { labelSelector: `${ROLE_LABEL}=state` }),
    kube.list('apps/v1', 'Deployment', namespace, { labelSelector: `${ROLE_LABEL}=workload` }),
    listRoutes(kube, namespace, APP_LABEL),
  ]);
  const byApp = new Map<string, { namespace: string; state?: RolloutState; deployments: KubeObject[] }>();
  const key = (ns: string, app: string): string => `${ns}/${app}`;
  for (const d of deployments.items) {
    const app = d.metadata.labels?.[APP_LABEL];
    const ns = d.metadata.namespace ?? '';
    if (app === undefined) continue;
    const entry = byApp.get(key(ns, app)) ?? { namespace: ns, deployments: [] };
    entry.deployments.push(d);
    byApp.set(key(ns, app), entry);
  }
  for (const cm of states.items) {
    const app = cm.metadata.labels?.[APP_LABEL];
    const ns = cm.metadata.namespace ?? '';
    if (app === undefined) continue;
    const entry = byApp.get(key(ns, app)) ?? { namespace: ns, deployments: [] };
    try {
      entry.state = parseState(cm);
    } catch {
      continue;
    }
    byApp.set(key(ns, app), entry);
  }
  const out: AppStatus[] = [];
  for (const [k, entry] of byApp) {
    const app = k.slice(k.indexOf('/') + 1);
    const world = worldFromDeployments(app, entry.namespace, entry.deployments);
    const own = routes.filter((r) => r.metadata.namespace === entry.namespace && r.metadata.labels?.[APP_LABEL] === app);
    world.liveWeights = recordedWeights(own.filter((r) => ['route', 'canary-route'].includes(r.metadata.labels?.[ROLE_LABEL] ?? '')));
    const state = reconcile(entry.state ?? initialState(world, {}, now), world, {}, now);
    out.push(buildStatus(state, world, [], now));
  }
  return out;
}

function worldFromDeployments(app: string, namespace: string, deployments: KubeObject[]): import('./world.ts').World {
  const map = new Map<string, KubeObject>();
  for (const d of deployments) {
    const v = d.metadata.labels?.['switchyard.dev/version'];
    if (v !== undefined) map.set(v, d);
  }
  return { app, namespace, deployments: map, stableServices: [], versionServices: new Set(), previewServices: new Map(), routes: [], ingresses: [], canaryRoutes: [], scalers: [], liveWeights: {}, listVersion: '' };
}

/** The recorded transitions of one app. */
export async function history(kube: Kube, namespace: string, app: string): Promise<HistoryView> {
  const stored = await readState(kube, namespace, app);
  if (stored === undefined) throw new Error(`no rollout history for "${app}" in namespace ${namespace}: switchyard has not driven it yet`);
  return { app, namespace, entries: stored.state.history };
}

/**
 * Deletes every object of an app: all versioned Deployments (retained ones included),
 * the Services, routes and scalers switchyard labelled, the state and the lease. The
 * chart's unversioned objects that switchyard never touched are left to Helm.
 */
export async function deleteApp(kube: Kube, namespace: string, app: string): Promise<string[]> {
  const labelSelector = `${APP_LABEL}=${app}`;
  const kinds: [string, string][] = [
    ...routeKinds().map((k): [string, string] => [k.apiVersion, k.kind]),
    ...SCALER_KINDS.map((k): [string, string] => [k.apiVersion, k.kind]),
    ['v1', 'Service'],
    ['apps/v1', 'Deployment'],
  ];
  const deleted: string[] = [];
  for (const [apiVersion, kind] of kinds) {
    let items: KubeObject[] = [];
    try {
      items = (await kube.list(apiVersion, kind, namespace, { labelSelector })).items;
    } catch (err) {
      // A kind the cluster does not serve (its CRD is not installed) has nothing to delete;
      // anything else (forbidden, unreachable) must not be reported as a clean delete.
      if (isKubeError(err, 'not-found')) continue;
      throw err;
    }
    for (const obj of items) {
      if (await kube.delete(apiVersion, kind, namespace, obj.metadata.name)) deleted.push(`${kind}/${obj.metadata.name}`);
      if (kind === 'Deployment') deleted.push(...(await deleteConfigCopies(kube, namespace, obj)));
    }
  }
  if (await kube.delete('v1', 'ConfigMap', namespace, stateName(app))) deleted.push(`ConfigMap/${stateName(app)}`);
  if (await kube.delete('coordination.k8s.io/v1', 'Lease', namespace, stateName(app))) deleted.push(`Lease/${stateName(app)}`);
  return deleted;
}
