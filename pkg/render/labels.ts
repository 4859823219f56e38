/** Label and annotation keys that switchyard writes. One place, so every module agrees. */

/** Label: the app (the chart's Deployment name) an object belongs to. */
export const APP_LABEL = 'switchyard.dev/app';
/** Label: the label-safe version a workload, pod or per-version Service carries. */
export const VERSION_LABEL = 'switchyard.dev/version';
/** Label: what an object is to switchyard (see {@link Role}). */
export const ROLE_LABEL = 'switchyard.dev/role';
/** Annotation: set on every object the post-renderer wrote or changed. Input documents carrying it pass through untouched. */
export const RENDERED_ANNOTATION = 'switchyard.dev/rendered';
/** Annotation: the per-version Service names switchyard inserted into a chart's HTTPRoute, so a re-render can replace them. */
export const BACKENDS_ANNOTATION = 'switchyard.dev/backends';
/** Annotation on a versioned Deployment: the strategy it was rendered for. */
export const STRATEGY_ANNOTATION = 'switchyard.dev/strategy';
/** Annotation on a versioned Deployment: the identity of its pod template and config (see identity.ts). */
export const TEMPLATE_HASH_ANNOTATION = 'switchyard.dev/template-hash';
/** Annotation on a versioned Deployment: where its version's name came from (flag, image-tag, label, hash). */
export const VERSION_SOURCE_ANNOTATION = 'switchyard.dev/version-source';
/** Annotation a chart puts on a Deployment: "true" to roll it out by versions without a Service, "false" to leave it to Helm. */
export const MANAGED_ANNOTATION = 'switchyard.dev/managed';
/** Helm's annotation that keeps an object when a later release no longer renders it. */
export const HELM_KEEP_ANNOTATION = 'helm.sh/resource-policy';
/** Helm 4 tags every document with the template file it came from. */
export const HELM4_FILENAME_ANNOTATION = 'postrenderer.helm.sh/postrender-filename';
/** Helm hook annotation: hooks pass through untouched. */
export const HELM_HOOK_ANNOTATION = 'helm.sh/hook';
/** Label the Deployment controller puts on pods: pins a Service to one ReplicaSet of an adopted Deployment. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
/** The recommended version label that charts set from `.Chart.AppVersion`. */
export const K8S_VERSION_LABEL = 'app.kubernetes.io/version';

/** What an object is to switchyard. */
export type Role =
  | 'workload' // a versioned Deployment
  | 'original' // the chart's unversioned Deployment, kept while it is adopted
  | 'stable-service' // the chart's Service, selector pinned to the stable version
  | 'version-service' // `<svc>-<version>`: one version's pods
  | 'preview-service' // `<svc>-preview`: the blue-green preview
  | 'route' // a chart route switchyard rewrote, or one it generated
  | 'canary-route' // a generated canary object (e.g. the NGINX canary Ingress)
  | 'scaler' // an HPA/VPA/ScaledObject retargeted to the stable version
  | 'config' // `<name>-<version>`: one version's copy of a chart ConfigMap or Secret
  | 'state' // the rollout state ConfigMap `switchyard.<app>`
  | 'lease'; // the Lease held by whichever command drives the app
