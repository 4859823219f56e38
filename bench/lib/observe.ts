import type { Api, WatchEvent } from './kube.ts';

/** The fields of a Deployment the benchmarks look at. */
export interface DeploymentLike {
  metadata: { name: string; generation?: number; resourceVersion?: string; labels?: Record<string, string> };
  spec: { replicas?: number };
  status?: { observedGeneration?: number; replicas?: number; readyReplicas?: number; availableReplicas?: number; updatedReplicas?: number };
}

/** A Deployment has all its desired replicas updated, ready and available (what `kubectl rollout status` waits for). */
export function rolledOut(d: DeploymentLike): boolean {
  const want = d.spec.replicas ?? 1;
  const s = d.status ?? {};
  return (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
    (s.updatedReplicas ?? 0) >= want && (s.readyReplicas ?? 0) >= want && (s.availableReplicas ?? 0) >= want && (s.replicas ?? 0) <= want;
}

/** One time a Deployment was asked for more replicas, and when it had them all ready. */
export interface ScaleUp {
  from: number;
  to: number;
  /** When the new replica count was seen (performance.now()). */
  askedAt: number;
  /** When the Deployment was seen rolled out at that count; undefined if never. */
  readyAt?: number;
}

/**
 * The scale-ups of Deployment `name` in a stream of watch events, each with the time the
 * cluster took to make the new replicas ready: from the watch event carrying the new
 * `spec.replicas` to the first event showing them all ready. Scale-downs end a scale-up.
 */
export function scaleUps(events: readonly WatchEvent<DeploymentLike>[], name: string): ScaleUp[] {
  const out: ScaleUp[] = [];
  let current: ScaleUp | undefined;
  let replicas: number | undefined;
  for (const e of events) {
    const d = e.object;
    if (d.metadata.name !== name) continue;
    const want = d.spec.replicas ?? 1;
    if (replicas !== undefined && want !== replicas) {
      if (current !== undefined && current.readyAt === undefined && want < replicas) current = undefined;
      if (want > replicas) {
        current = { from: replicas, to: want, askedAt: e.at };
        out.push(current);
      }
    }
    replicas = want;
    if (current !== undefined && current.readyAt === undefined && want === current.to && rolledOut(d)) current.readyAt = e.at;
  }
  return out;
}

/** Collects watch events of one collection until stopped. */
export class Recorder<T> {
  readonly events: WatchEvent<T>[] = [];
  readonly #controller = new AbortController();
  #listeners: ((e: WatchEvent<T>) => void)[] = [];

  /** Lists `path` for a resourceVersion, then watches from it, so no change in between is missed. */
  static async start<T>(api: Api, path: string): Promise<Recorder<T>> {
    const recorder = new Recorder<T>();
    const list = await api.must<{ metadata: { resourceVersion: string }; items: T[] }>('GET', path);
    const now = performance.now();
    for (const item of list.items) recorder.events.push({ type: 'LISTED', object: item, at: now, epoch: Date.now() });
    const sep = path.includes('?') ? '&' : '?';
    await api.watch<T>(`${path}${sep}resourceVersion=${list.metadata.resourceVersion}`, (e) => {
      recorder.events.push(e);
      for (const l of recorder.#listeners) l(e);
    }, recorder.#controller.signal);
    return recorder;
  }

  /** Resolves with the first event (already recorded or coming) that satisfies `test`, or rejects after `timeoutMs`. */
  waitFor(test: (e: WatchEvent<T>) => boolean, timeoutMs: number, after = 0): Promise<WatchEvent<T>> {
    const seen = this.events.find((e) => e.at >= after && test(e));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((done, fail) => {
      const timer = setTimeout(() => {
        this.#listeners = this.#listeners.filter((l) => l !== listener);
        fail(new Error(`no matching watch event within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (e: WatchEvent<T>): void => {
        if (e.at < after || !test(e)) return;
        clearTimeout(timer);
        this.#listeners = this.#listeners.filter((l) => l !== listener);
        done(e);
      };
      this.#listeners.push(listener);
    });
  }

  stop(): void {
    this.#controller.abort();
  }
}
