import type { Kube } from '../kube/index.ts';
import { stateName } from './state.ts';

/** Records a Kubernetes Event on the app's state ConfigMap (and so in `kubectl describe`). Best effort. */
export async function emitEvent(kube: Kube, namespace: string, app: string, reason: string, message: string, type: 'Normal' | 'Warning', now: number): Promise<void> {
  const time = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  try {
    await kube.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${stateName(app)}.`, name: '', namespace },
      involvedObject: { apiVersion: 'v1', kind: 'ConfigMap', name: stateName(app), namespace },
      reason,
      message,
      type,
      source: { component: 'switchyard' },
      reportingComponent: 'switchyard',
      reportingInstance: 'switchyard',
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
    });
  } catch {
    // Events are a convenience; a missing permission must not stop a rollout.
  }
}
