// The invariants every writing command must leave behind, however it was interrupted
// (DESIGN.md invariants 3 and 5): exactly one stable version, which the stable Service
// selects and which has ready pods; routes that name existing Services and send traffic
// only to versions with ready pods; no orphaned versioned objects; a released Lease.
import type { Kube } from '../../pkg/kube/index.ts';
import type { KubeObject } from '../../pkg/render/index.ts';

const APP = 'switchyard.dev/app';
const ROLE = 'switchyard.dev/role';
const VERSION = 'switchyard.dev/version';

/** What the cluster must look like for an app after a command (and its re-run). */
export interface Expected {
  /** The version that must be stable; undefined when the app must be gone (delete). */
  stable: string | undefined;
  /** The app has no Service of its own (a worker: it follows replica counts), so its stable version must have ready pods instead. */
  serviceless?: boolean;
}

interface State { stable: string; canary?: string; retained: { version: string }[]; phase: string }

const ready = (d: KubeObject | undefined): number => (d?.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0;
const versionOf = (o: KubeObject): string | undefined => o.metadata.labels?.[VERSION];

/** Every broken invariant of `app` in `namespace`, one sentence each; empty when all hold. */
export async function brokenInvariants(kube: Kube, namespace: string, app: string, expected: Expected): Promise<string[]> {
  const problems: string[] = [];
  const selector = { labelSelector: `${APP}=${app}` };
  const [deployments, services, routes, stateCm, lease] = await Promise.all([
    kube.list('apps/v1', 'Deployment', namespace, selector),
    kube.list('v1', 'Service', namespace, selector),
    kube.list('gateway.networking.k8s.io/v1', 'HTTPRoute', namespace, selector),
    kube.get('v1', 'ConfigMap', namespace, `switchyard.${app}`),
    kube.get('coordination.k8s.io/v1', 'Lease', namespace, `switchyard.${app}`),
  ]);
  const holder = (lease?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
  if (holder !== undefined && holder !== '') problems.push(`the Lease is still held by ${holder}`);
  if (expected.stable === undefined) {
    for (const o of [...deployments.items, ...services.items, ...routes.items]) problems.push(`${o.kind} ${o.metadata.name} survived the delete`);
    if (stateCm !== undefined) problems.push('the state ConfigMap survived the delete');
    return problems;
  }
  const byVersion = new Map(deployments.items.map((d) => [versionOf(d) ?? '', d]));
  const state = stateCm === undefined ? undefined : (JSON.parse((stateCm.data as { state: string }).state) as State);
  const stable = state?.stable ?? expected.stable;
  if (stable !== expected.stable) problems.push(`stable is ${stable}, expected ${expected.stable}`);
  const stableServices = services.items.filter((s) => s.metadata.labels?.[ROLE] === 'stable-service');
  if (expected.serviceless === true) {
    if (ready(byVersion.get(stable)) === 0) problems.push(`the stable ${stable} has no ready pods`);
  } else if (stableServices.length === 0) problems.push('no stable Service');
  for (const svc of stableServices) {
    const selected = (svc.spec as { selector?: Record<string, string> }).selector?.[VERSION];
    if (selected !== stable) problems.push(`the stable Service ${svc.metadata.name} selects ${selected}, not the stable ${stable}`);
    if (selected !== undefined && ready(byVersion.get(selected)) === 0) problems.push(`the stable Service selects ${selected}, which has no ready pods`);
  }
  const serviceByName = new Map(services.items.map((s) => [s.metadata.name, s]));
  for (const route of routes.items) {
    for (const rule of (route.spec as { rules?: { matches?: { headers?: unknown[] }[]; backendRefs?: { name: string; weight?: number }[] }[] }).rules ?? []) {
      // Header rules (`x-version: 1.0.0`) reach one version on request, retained ones
      // included; production traffic is what the rules without a header match carry.
      const byHeader = (rule.matches ?? []).some((m) => (m.headers ?? []).length > 0);
      for (const ref of rule.backendRefs ?? []) {
        const svc = serviceByName.get(ref.name);
        if (svc === undefined) {
          problems.push(`HTTPRoute ${route.metadata.name} sends traffic to Service ${ref.name}, which does not exist`);
          continue;
        }
        const to = (svc.spec as { selector?: Record<string, string> }).selector?.[VERSION];
        if (!byHeader && (ref.weight ?? 1) > 0 && to !== undefined && ready(byVersion.get(to)) === 0) problems.push(`HTTPRoute ${route.metadata.name} sends ${ref.weight ?? 1} to ${to}, which has no ready pods`);
      }
    }
  }
  const known = new Set([stable, ...(state?.canary === undefined ? [] : [state.canary]), ...(state?.retained ?? []).map((r) => r.version)]);
  // Without a stored state (after `apply` alone) every versioned Deployment is a version
  // switchyard will adopt; with one, each must be stable, the canary or retained.
  for (const d of state === undefined ? [] : deployments.items) {
    const v = versionOf(d);
    if (v !== undefined && !known.has(v)) problems.push(`Deployment ${d.metadata.name} (${v}) is neither stable, canary nor retained: orphaned`);
  }
  for (const s of services.items.filter((x) => x.metadata.labels?.[ROLE] === 'version-service')) {
    const v = versionOf(s);
    if (v !== undefined && !byVersion.has(v)) problems.push(`Service ${s.metadata.name} fronts ${v}, which has no Deployment: orphaned`);
  }
  return problems;
}
