import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Kube, ListOptions, ListResult, PatchType, WatchEvent } from '../kube/index.ts';
import { KubeError } from '../kube/errors.ts';
import { render } from '../render/index.ts';
import { postRender } from './post-render.ts';
import type { KubeObject, RenderOptions } from '../render/index.ts';

/** Thrown by {@link FakeKube} to simulate a process killed before a write. */
export class Crash extends Error {}

type Store = Map<string, KubeObject>;

/**
 * An in-memory fake of switchyard's own Kube interface for unit tests: objects by
 * kind/namespace/name, equality label selectors, optimistic concurrency, merge patches
 * and apply as upserts. Deployments become ready as soon as they are scaled, with a ready
 * pod per replica listed (a fake kubelet). `crashAfterWrites` throws {@link Crash} before the n-th write.
 */
export class FakeKube implements Kube {
  readonly namespace = 'demo';
  writes = 0;
  crashAfterWrites: number | undefined;
  readonly #store: Store = new Map();
  #rv = 1;
  #dead = false;

  /** Brings a "killed" client back, as a new process would start. */
  revive(): void {
    this.#dead = false;
    this.crashAfterWrites = undefined;
  }

  seed(obj: KubeObject): void {
    this.#put(structuredClone(obj));
  }

  all(kind: string): KubeObject[] {
    return [...this.#store.values()].filter((o) => o.kind === kind);
  }

  async get(_apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    this.#alive();
    const obj = this.#store.get(key(kind, namespace, name));
    return obj === undefined ? undefined : structuredClone(obj);
  }

  async list(_apiVersion: string, kind: string, namespace: string | undefined, options: ListOptions = {}): Promise<ListResult> {
    this.#alive();
    const wanted = (options.labelSelector ?? '').split(',').filter((t) => t !== '').map((t) => t.split('='));
    const objects = kind === 'Pod' ? [...this.#store.values(), ...this.#pods()] : [...this.#store.values()];
    const items = objects.filter((o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace) && wanted.every(([k, v]) => (v === undefined ? o.metadata.labels?.[k!] !== undefined : o.metadata.labels?.[k!] === v)));
    return { items: structuredClone(items), resourceVersion: String(this.#rv) };
  }

  async create(obj: KubeObject): Promise<KubeObject> {
    this.#write();
    const out = structuredClone(obj);
    out.metadata.namespace ??= this.namespace;
    if (out.metadata.name === '' && typeof out.metadata.generateName === 'string') out.metadata.name = `${out.metadata.generateName}${this.#rv}`;
    if (this.#store.has(key(out.kind, out.metadata.namespace, out.metadata.name))) throw new KubeError('already-exists', `${out.kind} ${out.metadata.name} exists`);
    return this.#put(out);
  }

  async update(obj: KubeObject): Promise<KubeObject> {
    this.#write();
    const live = this.#store.get(key(obj.kind, obj.metadata.namespace ?? this.namespace, obj.metadata.name));
    if (live === undefined) throw new KubeError('not-found', `${obj.kind} ${obj.metadata.name} not found`);
    if (obj.metadata.resourceVersion !== live.metadata.resourceVersion) throw new KubeError('conflict', `${obj.kind} ${obj.metadata.name} changed`);
    return this.#put({ ...structuredClone(obj), metadata: { ...structuredClone(obj.metadata), namespace: live.metadata.namespace } });
  }

  async apply(obj: KubeObject): Promise<KubeObject> {
    this.#write();
    const k = key(obj.kind, obj.metadata.namespace ?? this.namespace, obj.metadata.name);
    const live = this.#store.get(k);
    return this.#put(live === undefined ? { ...structuredClone(obj), metadata: { ...structuredClone(obj.metadata), namespace: obj.metadata.namespace ?? this.namespace } } : (merge(live, structuredClone(obj)) as KubeObject));
  }

  async patch(_apiVersion: string, kind: string, namespace: string | undefined, name: string, _type: PatchType, body: unknown): Promise<KubeObject> {
    this.#write();
    const live = this.#store.get(key(kind, namespace, name));
    if (live === undefined) throw new KubeError('not-found', `${kind} ${name} not found`);
    return this.#put(merge(live, body) as KubeObject);
  }

  async delete(_apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<boolean> {
    this.#write();
    return this.#store.delete(key(kind, namespace, name));
  }

  async watch(_a: string, _k: string, _n: string | undefined, _o: ListOptions, _on: (e: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  /** The ready pods of every Deployment, as its ReplicaSet would keep them (not stored: they follow the Deployment). */
  #pods(): KubeObject[] {
    return this.all('Deployment').flatMap((d) => {
      const ready = (d.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0;
      const labels = (d.spec as { template?: { metadata?: { labels?: Record<string, string> } } }).template?.metadata?.labels ?? {};
      return Array.from({ length: ready }, (_, i): KubeObject => ({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: `${d.metadata.name}-${i}`, namespace: d.metadata.namespace, labels: { ...labels } },
        status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
      }));
    });
  }

  #alive(): void {
    if (this.#dead) throw new Crash('the process was killed');
  }

  #write(): void {
    this.#alive();
    if (this.crashAfterWrites !== undefined && this.writes >= this.crashAfterWrites) {
      this.#dead = true;
      throw new Crash(`killed before write ${this.writes + 1}`);
    }
    this.writes++;
  }

  #put(obj: KubeObject): KubeObject {
    obj.metadata.resourceVersion = String(++this.#rv);
    if (obj.kind === 'Deployment') {
      const replicas = (obj.spec as { replicas?: number }).replicas ?? 1;
      obj.metadata.generation = 1;
      obj.status = { replicas, readyReplicas: replicas, availableReplicas: replicas, updatedReplicas: replicas, observedGeneration: 1 };
    }
    this.#store.set(key(obj.kind, obj.metadata.namespace, obj.metadata.name), obj);
    return structuredClone(obj);
  }
}

function key(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

/** JSON merge patch (RFC 7386): null deletes, objects merge, anything else replaces. */
function merge(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

/**
 * `helm upgrade` of testdata/render/gateway.yaml to `version` through the post-renderer
 * (which reads the fake cluster, as it reads a real one): new objects are created a
 * minute after `createdAt`'s previous versions, existing ones are applied over.
 */
export async function helmUpgrade(kube: FakeKube, version: string, createdAt: string, options: RenderOptions = {}): Promise<void> {
  const chart = readFileSync(join(import.meta.dirname, '../../testdata/render/gateway.yaml'), 'utf8').replaceAll('1.0.0', version);
  const out = await postRender(chart, options, { kind: 'cluster', flags: {}, open: async () => kube, keepOpen: true });
  for (const doc of parseAllDocuments(out.text)) {
    const obj = doc.toJS() as KubeObject;
    if (obj.metadata.annotations?.['helm.sh/hook'] !== undefined) continue;
    obj.metadata.namespace = 'demo';
    const live = await kube.get(obj.apiVersion, obj.kind, 'demo', obj.metadata.name);
    if (live === undefined) {
      obj.metadata.creationTimestamp = createdAt;
      kube.seed(obj);
    } else {
      await kube.apply(obj);
    }
  }
}

/**
 * A fake cluster with testdata/render/gateway.yaml installed through the post-renderer at
 * 1.0.0 (stable, 2 replicas) and 2.0.0 deployed beside it, in namespace `demo`.
 */
export function twoVersionCluster(options: RenderOptions = {}): FakeKube {
  const kube = new FakeKube();
  const chart = readFileSync(join(import.meta.dirname, '../../testdata/render/gateway.yaml'), 'utf8');
  const install = (text: string, observed: Parameters<typeof render>[2]): void => {
    for (const doc of parseAllDocuments(render(text, options, observed).text)) {
      const obj = doc.toJS() as KubeObject;
      if (obj.metadata.annotations?.['helm.sh/hook'] !== undefined) continue;
      obj.metadata.namespace = 'demo';
      obj.metadata.creationTimestamp = `2026-11-23T10:0${kube.all(obj.kind).length}:00Z`;
      kube.seed(obj);
    }
  };
  install(chart, { apps: {} });
  const v1 = { version: '1.0.0', deployment: 'web-1-0-0', replicas: 2, readyReplicas: 2 };
  install(chart.replaceAll('1.0.0', '2.0.0'), { apps: { web: { stable: '1.0.0', versions: { '1.0.0': v1 }, weights: {} } } });
  return kube;
}
