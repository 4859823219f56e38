/** Types shared by the transform, the route providers and the rollout engine. */
import type { RouterName } from '../route/types.ts';

/** Any Kubernetes object as plain data. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  [key: string]: unknown;
}

/** The metadata fields switchyard reads or writes. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** The traffic strategy a version is rendered for. */
export type Strategy = 'canary' | 'bluegreen';

/** One live version of an app, as observed in the cluster. */
export interface ObservedVersion {
  /** The label-safe version. */
  version: string;
  /** The versioned Deployment's name. */
  deployment: string;
  /** `spec.replicas` of that Deployment. */
  replicas: number;
  /** `status.readyReplicas`. */
  readyReplicas: number;
  /** The identity switchyard recorded for its pod template; absent on Deployments written before identities. */
  templateHash?: string;
  /** The live pod template, to compare with the chart's when there is no recorded identity. */
  template?: unknown;
  /** The live Deployment's labels. */
  labels?: Record<string, string>;
  /** Where the version's name came from, when recorded. */
  source?: string;
}

/** The chart's unversioned Deployment, live in the cluster (DESIGN.md scenario 7, adoption). */
export interface ObservedOriginal {
  /** The live object, cleaned of status and server-set fields, to be re-emitted unchanged. */
  manifest: KubeObject;
  /** Its version (label or image tag). */
  version: string;
  /** The pod-template-hash of its current ReplicaSet, which tells its pods from new versions' pods. */
  podTemplateHash?: string;
}

/** What the cluster says about one app right now. */
export interface ObservedApp {
  /** The version the stable Service selects. */
  stable?: string;
  /** The version being rolled out, if any. */
  canary?: string;
  /** Every live versioned Deployment, by version. */
  versions: Record<string, ObservedVersion>;
  /** Traffic weight (0–100) of each non-stable version that receives some. */
  weights: Record<string, number>;
  /** The adopted unversioned Deployment, while it is still the stable track. */
  original?: ObservedOriginal;
}

/** Observed state for every app of a release, keyed by the chart's Deployment name. */
export interface ObservedState {
  apps: Record<string, ObservedApp>;
  /** What the cluster serves; unknown (undefined) when rendering offline. */
  cluster?: {
    /** The traffic providers whose kinds the cluster serves (`servedRouters`), in registry order. */
    routers: RouterName[];
  };
}

/** An empty observation: every app is a first install. */
export const FIRST_INSTALL: ObservedState = Object.freeze({ apps: {} }) as ObservedState;
