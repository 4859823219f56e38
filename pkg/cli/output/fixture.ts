import type { AppStatus, HistoryView } from '../../rollout/view.ts';

// Fresh view models for the tests of this package. Each call builds a new object,
// so a test may change its copy freely. Not exported from index.ts.

/** 2026-11-23T10:04:10Z: four minutes ten seconds after the canary below started. */
export const NOW = Date.parse('2026-11-23T10:04:10Z');

/** `web` in `prod`, canary 2.0.0 at step 2/4 with 25% of traffic, one gate failing. */
export function progressing(): AppStatus {
  return {
    app: 'web',
    namespace: 'prod',
    phase: 'Progressing',
    strategy: 'canary',
    router: 'gateway',
    stable: '1.0.0',
    canary: '2.0.0',
    weight: 25,
    step: { index: 2, total: 4, description: 'set weight 25%' },
    message: 'waiting for 3 ready pods of 2.0.0',
    versions: [
      { version: '2.0.0', role: 'canary', deployment: 'web-2-0-0', replicas: 3, readyReplicas: 2, weight: 25, restarts: 1, source: 'image-tag' },
      { version: '1.0.0', role: 'stable', deployment: 'web-1-0-0', replicas: 3, readyReplicas: 3, weight: 75, restarts: 0, source: 'flag' },
    ],
    gates: [
      { name: 'ready', ok: true, message: '3/3 pods ready' },
      { name: 'error-rate', ok: false, message: '5.2% > 1%' },
    ],
    startedAt: '2026-11-23T10:00:00Z',
    updatedAt: '2026-11-23T10:04:10Z',
  };
}

/** `api` in `dev`, Healthy on 3.1.0 with 3.0.0 retained (scaled down), no gates. */
export function healthy(): AppStatus {
  return {
    app: 'api',
    namespace: 'dev',
    phase: 'Healthy',
    strategy: 'bluegreen',
    router: 'nginx',
    stable: '3.1.0',
    weight: 0,
    step: { index: 0, total: 0 },
    versions: [
      { version: '3.1.0', role: 'stable', deployment: 'api-3-1-0', replicas: 2, readyReplicas: 2, weight: 100 },
      { version: '3.0.0', role: 'retained', deployment: 'api-3-0-0', replicas: 0, readyReplicas: 0, weight: 0 },
    ],
    gates: [],
    updatedAt: '2026-11-23T09:00:00Z',
  };
}

/** `web` in `prod` after `helm upgrade` to 3.0.0 while 2.0.0 held 20%: 2.0.0 superseded, still served. */
export function superseded(): AppStatus {
  return {
    app: 'web',
    namespace: 'prod',
    phase: 'Progressing',
    strategy: 'canary',
    router: 'gateway',
    stable: '1.0.0',
    canary: '3.0.0',
    weight: 0,
    step: { index: 1, total: 4, description: 'set weight 10%' },
    versions: [
      { version: '1.0.0', role: 'stable', deployment: 'web-1-0-0', replicas: 2, readyReplicas: 2, weight: 100, liveWeight: 80 },
      { version: '3.0.0', role: 'canary', deployment: 'web-3-0-0', replicas: 1, readyReplicas: 1, weight: 0, liveWeight: 0 },
      { version: '2.0.0', role: 'retained', deployment: 'web-2-0-0', replicas: 1, readyReplicas: 1, weight: 0, liveWeight: 20, superseded: true },
    ],
    gates: [],
    startedAt: '2026-11-23T10:04:00Z',
  };
}

/** Three transitions of `web` in `prod`, the first with fractional seconds. */
export function history(): HistoryView {
  return {
    app: 'web',
    namespace: 'prod',
    entries: [
      { at: '2026-11-23T10:00:00.123Z', event: 'Started', message: 'canary 2.0.0 started', version: '2.0.0', weight: 0 },
      { at: '2026-11-23T10:02:00Z', event: 'StepCompleted', message: 'weight 10%', version: '2.0.0', weight: 10 },
      { at: '2026-11-23T10:04:00Z', event: 'Paused', message: 'gate error-rate failed' },
    ],
  };
}
