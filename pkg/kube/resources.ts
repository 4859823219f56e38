/** Where a kind lives in the API. */
export interface ResourceInfo {
  /** `''` for the core group. */
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

const KNOWN: Record<string, [plural: string, namespaced: boolean]> = {
  'v1/Pod': ['pods', true],
  'v1/Service': ['services', true],
  'v1/ConfigMap': ['configmaps', true],
  'v1/Secret': ['secrets', true],
  'v1/ServiceAccount': ['serviceaccounts', true],
  'v1/Event': ['events', true],
  'v1/Endpoints': ['endpoints', true],
  'v1/Namespace': ['namespaces', false],
  'v1/PersistentVolumeClaim': ['persistentvolumeclaims', true],
  'apps/v1/Deployment': ['deployments', true],
  'apps/v1/ReplicaSet': ['replicasets', true],
  'apps/v1/StatefulSet': ['statefulsets', true],
  'apps/v1/DaemonSet': ['daemonsets', true],
  'batch/v1/Job': ['jobs', true],
  'batch/v1/CronJob': ['cronjobs', true],
  'networking.k8s.io/v1/Ingress': ['ingresses', true],
  'networking.k8s.io/v1/NetworkPolicy': ['networkpolicies', true],
  'gateway.networking.k8s.io/v1/HTTPRoute': ['httproutes', true],
  'gateway.networking.k8s.io/v1/GRPCRoute': ['grpcroutes', true],
  'gateway.networking.k8s.io/v1/Gateway': ['gateways', true],
  'coordination.k8s.io/v1/Lease': ['leases', true],
  'events.k8s.io/v1/Event': ['events', true],
  'autoscaling/v2/HorizontalPodAutoscaler': ['horizontalpodautoscalers', true],
  'autoscaling/v1/HorizontalPodAutoscaler': ['horizontalpodautoscalers', true],
  'policy/v1/PodDisruptionBudget': ['poddisruptionbudgets', true],
  'rbac.authorization.k8s.io/v1/Role': ['roles', true],
  'rbac.authorization.k8s.io/v1/RoleBinding': ['rolebindings', true],
  'rbac.authorization.k8s.io/v1/ClusterRole': ['clusterroles', false],
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ['clusterrolebindings', false],
  'apiextensions.k8s.io/v1/CustomResourceDefinition': ['customresourcedefinitions', false],
  'networking.istio.io/v1/VirtualService': ['virtualservices', true],
  'networking.istio.io/v1/DestinationRule': ['destinationrules', true],
  'traefik.io/v1alpha1/TraefikService': ['traefikservices', true],
  'traefik.io/v1alpha1/IngressRoute': ['ingressroutes', true],
};

/** The resource of a well-known kind, without asking the server; undefined when not known. */
export function knownResource(apiVersion: string, kind: string): ResourceInfo | undefined {
  const entry = KNOWN[`${apiVersion}/${kind}`];
  if (entry === undefined) return undefined;
  const [group, version] = splitApiVersion(apiVersion);
  return { group, version, plural: entry[0], namespaced: entry[1] };
}

/** `apps/v1` → [`apps`, `v1`]; `v1` → [``, `v1`]. */
export function splitApiVersion(apiVersion: string): [group: string, version: string] {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
}

/** The URL path of a collection or object. */
export function resourcePath(info: ResourceInfo, namespace: string | undefined, name?: string): string {
  const base = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
  const ns = info.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${info.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}
