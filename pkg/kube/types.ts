import type { KubeObject } from '../render/types.ts';

/** How a patch body is interpreted by the API server. */
export type PatchType = 'merge' | 'json' | 'strategic';

/** One event of a watch. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  object: KubeObject;
}

/** Options of a list call. */
export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
}

/** A list result with the collection's resourceVersion (to start a watch from). */
export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
}

/**
 * The narrow client every switchyard package talks to. One implementation speaks HTTP to
 * a real API server; unit tests use an in-memory fake of this interface.
 */
export interface Kube {
  /** The namespace from flags or kubeconfig. */
  readonly namespace: string;
  get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  list(apiVersion: string, kind: string, namespace: string | undefined, options?: ListOptions): Promise<ListResult>;
  create(obj: KubeObject): Promise<KubeObject>;
  /** Replaces an object; fails with `conflict` when its resourceVersion is stale (optimistic concurrency). */
  update(obj: KubeObject): Promise<KubeObject>;
  /** Server-side apply with field manager `switchyard` (forcing conflicts unless `force` is false). */
  apply(obj: KubeObject, options?: { force?: boolean; fieldManager?: string }): Promise<KubeObject>;
  patch(apiVersion: string, kind: string, namespace: string | undefined, name: string, type: PatchType, body: unknown, options?: { fieldManager?: string }): Promise<KubeObject>;
  /** Deletes an object; resolves false when it was already gone. */
  delete(apiVersion: string, kind: string, namespace: string | undefined, name: string, options?: { propagation?: 'Foreground' | 'Background' | 'Orphan' }): Promise<boolean>;
  /** Streams events until `signal` aborts or the server ends the watch. */
  watch(apiVersion: string, kind: string, namespace: string | undefined, options: ListOptions & { resourceVersion?: string }, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<void>;
  /**
   * GETs a path of the API server that is not an object, e.g. a Service's proxy
   * (`/api/v1/namespaces/ns/services/prometheus:9090/proxy/api/v1/query`), with the
   * kubeconfig's credentials; resolves with the body of a 2xx answer. Optional: fakes may lack it.
   */
  getRaw?(path: string, query: Record<string, string>, options?: { timeoutMs?: number; what?: string }): Promise<string>;
}

/** The annotation Helm puts on every object of a release: its name. */
export const RELEASE_ANNOTATION = 'meta.helm.sh/release-name';

/** The field manager of switchyard's writes to its own objects. */
export const FIELD_MANAGER = 'switchyard';

/** Helm's field manager (Helm 4 applies server-side as `helm`). */
export const HELM_FIELD_MANAGER = 'helm';

/**
 * The field manager to write `obj` with. Objects of a Helm release are written as Helm's
 * manager: switchyard only ever writes the values the post-renderer would render, and
 * keeping the fields Helm's means Helm 4's next server-side apply cannot conflict.
 */
export function fieldManagerFor(obj: { metadata: { annotations?: Record<string, string> } } | undefined): string {
  return obj?.metadata.annotations?.[RELEASE_ANNOTATION] !== undefined ? HELM_FIELD_MANAGER : FIELD_MANAGER;
}
