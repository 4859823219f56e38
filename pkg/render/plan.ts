import { childName, versionSlug } from './naming.ts';
import type { ObservedApp, Strategy } from './types.ts';

/** What a live version is doing. */
export type TrackRole = 'stable' | 'canary' | 'preview' | 'retained';

/** One live version of an app after this render. */
export interface Track {
  version: string;
  /** DNS-safe form of the version, used in names. */
  slug: string;
  role: TrackRole;
  /** Share of traffic in percent. The stable track gets what the others leave. */
  weight: number;
  /** The Deployment running it. */
  deployment: string;
  /** True for the chart's unversioned Deployment while it is adopted (scenario 7). */
  original: boolean;
  /** Whether it runs pods, so a header route may send requests to it: always but for a retained version scaled to zero. */
  serving: boolean;
}

/** Everything the emitters need to know about one app. */
export interface AppPlan {
  /** The chart's Deployment name. */
  app: string;
  /** The version this render deploys. */
  version: string;
  strategy: Strategy;
  /** Request header that selects a version (default `x-version`). */
  header: string;
  /** Live versions, stable first. */
  tracks: Track[];
  /** The pod-template-hash that tells the adopted Deployment's pods apart, when adopting. */
  originalPodTemplateHash?: string;
}

/** One non-stable live version, as a planner's caller sees it. */
export interface LiveVersion {
  version: string;
  /** Its Deployment's name; default `<app>-<version-slug>`. */
  deployment?: string;
  /** Its `spec.replicas`: a retained version with none gets no header route. */
  replicas: number;
  /** The share of traffic it should get, in percent (clamped to 0–100; blue-green: always 0). */
  weight: number;
}

/** Inputs of {@link planTracks}: who is stable, who is being rolled out, and what else runs. */
export interface TrackSpec {
  app: string;
  /** The version the plan deploys ({@link AppPlan.version}). */
  version: string;
  strategy: Strategy;
  header: string;
  stable: string;
  /** The stable version's Deployment; default `<app>-<version-slug>`. */
  stableDeployment?: string;
  /** The stable version is the chart's unversioned Deployment `app` (adoption, DESIGN.md scenario 7). */
  adopting: boolean;
  /** While adopting: the pod-template-hash that tells the adopted Deployment's pods apart. */
  originalPodTemplateHash?: string;
  /** The version being rolled out, if any. */
  canary?: string;
  /** Every other live version (the canary among them), once each. */
  others: readonly LiveVersion[];
}

/**
 * The one planner: which versions are live, in which role, and where traffic goes. The
 * stable track comes first and gets what the others leave; the others follow by version,
 * so the post-renderer ({@link planApp}) and the engine (`planFromState`) write identical routes.
 */
export function planTracks(spec: TrackSpec): AppPlan {
  const { app, strategy } = spec;
  const tracks: Track[] = [];
  let others = 0;
  for (const live of [...spec.others].sort((a, b) => compareVersions(a.version, b.version))) {
    if (live.version === spec.stable) continue;
    const weight = strategy === 'bluegreen' ? 0 : clampWeight(live.weight);
    others += weight;
    const role: TrackRole = live.version !== spec.canary ? 'retained' : strategy === 'bluegreen' ? 'preview' : 'canary';
    tracks.push(track(app, live.version, role, weight, live.deployment, role !== 'retained' || live.replicas > 0, false));
  }
  const stable = track(app, spec.stable, 'stable', Math.max(0, 100 - others), spec.adopting ? app : spec.stableDeployment, true, spec.adopting);
  const plan: AppPlan = { app, version: spec.version, strategy, header: spec.header, tracks: [stable, ...tracks] };
  if (spec.adopting && spec.originalPodTemplateHash !== undefined) plan.originalPodTemplateHash = spec.originalPodTemplateHash;
  return plan;
}

/** Inputs of {@link planApp}. */
export interface PlanInput {
  app: string;
  version: string;
  strategy: Strategy;
  header: string;
  observed: ObservedApp | undefined;
}

/**
 * The post-renderer's plan: which versions are live after a render and where traffic goes.
 * A render never moves traffic (DESIGN.md invariant 2): the stable version and the weights
 * are the observed ones; only a first install makes the rendered version stable.
 */
export function planApp(input: PlanInput): AppPlan {
  const { app, version, strategy, header } = input;
  const observed = input.observed ?? { versions: {}, weights: {} };
  const original = observed.original;
  const adopting = original !== undefined && (observed.stable === undefined || observed.stable === original.version);
  const stable = adopting ? original.version : (observed.stable ?? version);
  const versions = new Set<string>([...Object.keys(observed.versions), version]);
  versions.delete(stable);
  const canary = version !== stable ? version : observed.canary !== stable ? observed.canary : undefined;
  const live = (v: string): LiveVersion => {
    const seen = observed.versions[v];
    const out: LiveVersion = { version: v, replicas: seen?.replicas ?? 0, weight: observed.weights[v] ?? 0 };
    if (seen !== undefined) out.deployment = seen.deployment;
    return out;
  };
  const spec: TrackSpec = { app, version, strategy, header, stable, adopting, others: [...versions].map(live) };
  const stableDeployment = observed.versions[stable]?.deployment;
  if (stableDeployment !== undefined) spec.stableDeployment = stableDeployment;
  if (canary !== undefined) spec.canary = canary;
  if (adopting && original.podTemplateHash !== undefined) spec.originalPodTemplateHash = original.podTemplateHash;
  return planTracks(spec);
}

/** The stable track of a plan. */
export function stableTrack(plan: AppPlan): Track {
  const first = plan.tracks[0];
  if (first === undefined || first.role !== 'stable') throw new Error(`plan for ${plan.app} has no stable track`);
  return first;
}

/** The name of the versioned Deployment of `app` at `version`. */
export function versionedDeploymentName(app: string, version: string): string {
  return childName(app, versionSlug(version));
}

function track(app: string, version: string, role: TrackRole, weight: number, deployment: string | undefined, serving: boolean, original: boolean): Track {
  const slug = versionSlug(version);
  return { version, slug, role, weight, deployment: deployment ?? childName(app, slug), original, serving };
}

function clampWeight(weight: number): number {
  return Number.isFinite(weight) ? Math.min(100, Math.max(0, Math.round(weight))) : 0;
}

/** Orders versions numerically where they are numbers (`1.10.0` after `1.9.0`), else by text. */
export function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
