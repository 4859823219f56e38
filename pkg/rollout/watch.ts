import type { Kube } from '../kube/index.ts';
import { APP_LABEL } from '../render/index.ts';
import { stateName } from './state.ts';

/** Where to watch an app from: the resourceVersions of what was last read. */
export interface ReadVersions {
  /** Of the list of the app's Deployments. */
  deployments: string;
  /** Of the state ConfigMap; undefined when there is none yet. */
  state: string | undefined;
}

/**
 * Resolves when one of the app's Deployments or its state ConfigMap changes after `from`,
 * at `until` (epoch ms; Infinity for never), or when `signal` aborts. The engine waits
 * this way between passes and `status -w` between repaints: watches, not polling.
 */
export async function waitForAppChange(kube: Kube, namespace: string, app: string, from: ReadVersions, until: number, now: () => number, signal?: AbortSignal): Promise<void> {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  signal?.addEventListener('abort', stop, { once: true });
  const ms = until - now();
  const timer = Number.isFinite(ms) ? setTimeout(stop, Math.max(0, ms)) : undefined;
  const watch = (p: Promise<void>): Promise<void> => p.then(stop, stop);
  try {
    await Promise.race([
      watch(kube.watch('apps/v1', 'Deployment', namespace, { labelSelector: `${APP_LABEL}=${app}`, resourceVersion: from.deployments }, stop, controller.signal)),
      watch(kube.watch('v1', 'ConfigMap', namespace, { fieldSelector: `metadata.name=${stateName(app)}`, resourceVersion: from.state ?? from.deployments }, stop, controller.signal)),
      new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true })),
    ]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    controller.abort();
    signal?.removeEventListener('abort', stop);
  }
}
