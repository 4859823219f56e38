import type { KubeObject } from '../render/index.ts';
import type { RolloutState } from './state.ts';
import type { World } from './world.ts';

/** A versioned Deployment as the cluster returns it. */
export function deployment(version: string, replicas: number, ready: number, created: string): KubeObject {
  const slug = version.replace(/\./g, '-');
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `web-${slug}`, namespace: 'demo', creationTimestamp: created, generation: 1, labels: { 'switchyard.dev/app': 'web', 'switchyard.dev/role': 'workload', 'switchyard.dev/version': version } },
    spec: { replicas },
    status: { replicas, readyReplicas: ready, availableReplicas: ready, updatedReplicas: replicas, observedGeneration: 1 },
  };
}

/** A world with the given versioned Deployments and the stable Service selecting `stable`. */
export function world(stable: string, deployments: KubeObject[]): World {
  return {
    app: 'web',
    namespace: 'demo',
    deployments: new Map(deployments.map((d) => [d.metadata.labels!['switchyard.dev/version']!, d])),
    stableServices: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', labels: { 'switchyard.dev/app': 'web', 'switchyard.dev/role': 'stable-service' } }, spec: { selector: { app: 'web', 'switchyard.dev/app': 'web', 'switchyard.dev/version': stable }, ports: [{ port: 80 }] } }],
    versionServices: new Set(),
    previewServices: new Map(),
    routes: [],
    ingresses: [],
    canaryRoutes: [],
    scalers: [],
    liveStable: stable,
    liveWeights: {},
    listVersion: '1',
  };
}

/** A rollout state in progress. */
export function progressing(overrides: Partial<RolloutState> = {}): RolloutState {
  return {
    schema: 1,
    app: 'web',
    strategy: 'canary',
    router: 'gateway',
    header: 'x-version',
    phase: 'Progressing',
    stable: '1.0.0',
    canary: '2.0.0',
    weight: 25,
    steps: [{ kind: 'weight', weight: 10 }, { kind: 'weight', weight: 25 }, { kind: 'pause' }, { kind: 'weight', weight: 100 }],
    step: 2,
    retained: [],
    history: [],
    updatedAt: '2026-11-23T10:00:00.000Z',
    ...overrides,
  };
}
