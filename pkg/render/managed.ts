import { RenderError } from './errors.ts';
import { MANAGED_ANNOTATION } from './labels.ts';
import type { KubeObject, ObservedApp } from './types.ts';

/** Whether switchyard rolls a Deployment out by versions, and if not, why. */
export type Management = { managed: true; why: 'selected' | 'included' | 'live' } | { managed: false; reason: string; explicit: boolean };

/** Inputs of {@link management}. */
export interface ManagementInput {
  deployment: KubeObject;
  /** Whether a Service of the chart selects its pods. */
  selected: boolean;
  /** The chart's PersistentVolumeClaims by name. */
  claims: ReadonlyMap<string, KubeObject>;
  include: readonly string[];
  exclude: readonly string[];
  /** What the cluster has of it. */
  observed: ObservedApp | undefined;
}

interface PodSpec {
  volumes?: { name?: string; persistentVolumeClaim?: { claimName?: string; readOnly?: boolean } }[];
  containers?: { ports?: { hostPort?: number }[] }[];
  initContainers?: { ports?: { hostPort?: number }[] }[];
}

/**
 * DESIGN.md, "Which workloads are managed": every Deployment a Service of the chart selects,
 * and any included by `--include` or `switchyard.dev/managed: "true"`, or already rolled out
 * by switchyard. Left to Helm: `--exclude` and `switchyard.dev/managed: "false"`, and any
 * that cannot run two versions side by side (a ReadWriteOnce or ReadWriteOncePod claim, or
 * one whose access mode is unknown; `strategy: Recreate`; a hostPort). A workload switchyard
 * already rolls out that turns unmanageable is an error: Helm would start a second copy of
 * it beside its versions.
 */
export function management(input: ManagementInput): Management {
  const { deployment, observed } = input;
  const name = deployment.metadata.name;
  const annotation = deployment.metadata.annotations?.[MANAGED_ANNOTATION];
  const live = observed !== undefined && Object.keys(observed.versions).length > 0;
  const left = leftToHelm(input, annotation);
  if (left !== undefined) {
    if (live) {
      const versions = Object.keys(observed.versions).join(', ');
      throw new RenderError(
        'unmanageable',
        `Deployment ${name} is rolled out by switchyard (live versions: ${versions}) but ${left.reason}; revert that change, or hand ${name} back to Helm with \`kubectl canary delete ${name}\` (it deletes its versions; the next helm upgrade creates ${name} again)`,
      );
    }
    return left;
  }
  if (input.include.includes(name) || annotation === 'true') return { managed: true, why: 'included' };
  if (input.selected) return { managed: true, why: 'selected' };
  if (live) return { managed: true, why: 'live' };
  return { managed: false, explicit: false, reason: `no Service of the chart selects its pods (pass --include ${name} or annotate it ${MANAGED_ANNOTATION}: "true" to roll it out by versions)` };
}

type LeftToHelm = Extract<Management, { managed: false }>;

function leftToHelm(input: ManagementInput, annotation: string | undefined): LeftToHelm | undefined {
  const { deployment } = input;
  const name = deployment.metadata.name;
  if (input.exclude.includes(name)) return { managed: false, explicit: true, reason: `--exclude ${name} leaves it to Helm` };
  if (annotation === 'false') return { managed: false, explicit: true, reason: `it is annotated ${MANAGED_ANNOTATION}: "false"` };
  const hazard = sideBySideHazard(deployment, input.claims);
  return hazard === undefined ? undefined : { managed: false, explicit: false, reason: `${hazard}, so two versions cannot run side by side` };
}

/** Why two versions of a Deployment cannot run at once, or undefined when they can. */
export function sideBySideHazard(deployment: KubeObject, claims: ReadonlyMap<string, KubeObject>): string | undefined {
  const spec = deployment.spec as { strategy?: { type?: string }; template?: { spec?: PodSpec } } | undefined;
  if (spec?.strategy?.type === 'Recreate') return 'it uses strategy: Recreate';
  const pod = spec?.template?.spec;
  for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
    const port = (c?.ports ?? []).find((p) => typeof p?.hostPort === 'number' && p.hostPort > 0);
    if (port !== undefined) return `it binds hostPort ${port.hostPort}`;
  }
  for (const volume of pod?.volumes ?? []) {
    const claimName = volume?.persistentVolumeClaim?.claimName;
    if (typeof claimName !== 'string') continue;
    const claim = claims.get(claimName);
    if (claim === undefined) return `it mounts the claim ${claimName}, whose access mode is not in the chart`;
    const modes = ((claim.spec as { accessModes?: unknown[] } | undefined)?.accessModes ?? []).map(String);
    const single = modes.find((m) => m === 'ReadWriteOnce' || m === 'ReadWriteOncePod');
    if (single !== undefined || modes.length === 0) return `it mounts the ${single ?? 'ReadWriteOnce (default)'} claim ${claimName}`;
  }
  return undefined;
}
