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

/** Inputs of {@link planApp}. */
export interface PlanInput {
  app: string;
  version: string;
  strategy: Strategy;
  header: string;
  observed: ObservedApp | undefined;
}

/**
 * Decides which versions are live after a render and where traffic goes. A render never
 * moves traffic (DESIGN.md invariant 2): the stable version and the weights are the
 * observed ones; only a first install makes the rendered version stable.
 */
export function planApp(input: PlanInput): AppPlan {
  const { app, version, strategy, header } = input;
  const observed = input.observed ?? { versions: {}, weights: {} };
  const original = observed.original;
  const adopting = original !== undefined && (observed.stable === undefined || observed.stable === original.version);
  const stable = adopting ? original.version : (observed.stable ?? version);

  const versions = new Set<string>([stable, ...Object.keys(observed.versions), version]);
  const canary = version !== stable ? version : observed.canary !== stable ? observed.canary : undefined;
  const tracks: Track[] = [];
  let others = 0;
  for (const v of [...versions].sort(compareVersions)) {
    if (v === stable) continue;
    const weight = strategy === 'bluegreen' ? 0 : clampWeight(observed.weights[v] ?? 0);
    others += weight;
    const role: TrackRole = v !== canary ? 'retained' : strategy === 'bluegreen' ? 'preview' : 'canary';
    tracks.push(track(app, v, role, weight, observed, false));
  }
  const stableTrack = track(app, stable, 'stable', Math.max(0, 100 - others), observed, adopting);
  if (adopting) stableTrack.deployment = app;
  const plan: AppPlan = { app, version, strategy, header, tracks: [stableTrack, ...tracks] };
  if (adopting && original.podTemplateHash !== undefined) plan.originalPodTemplateHash = original.podTemplateHash;
  return plan;
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

function track(app: string, version: string, role: TrackRole, weight: number, observed: ObservedApp, original: boolean): Track {
  const slug = versionSlug(version);
  const live = observed.versions[version];
  const deployment = live?.deployment ?? childName(app, slug);
  return { version, slug, role, weight, deployment, original, serving: role !== 'retained' || (live?.replicas ?? 0) > 0 };
}

function clampWeight(weight: number): number {
  return Number.isFinite(weight) ? Math.min(100, Math.max(0, Math.round(weight))) : 0;
}

/** Orders versions numerically where they are numbers (`1.10.0` after `1.9.0`), else by text. */
export function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
