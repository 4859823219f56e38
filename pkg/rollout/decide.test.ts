import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGatesDocument } from '../analysis/sources.ts';
import type { KubeObject } from '../render/index.ts';
import type { AnalysisOutcome } from './analysis.ts';
import { decide } from './decide.ts';
import type { Decision, Effect, Next, Policy } from './effects.ts';
import { deployment, progressing, world } from './fixture.test-util.ts';
import type { RolloutState } from './state.ts';
import type { World } from './world.ts';

// decide() as case tables: a stored state and a world in, the writes and what comes next
// out. No cluster and no fake kube: every case builds its own inputs.

const NOW = Date.parse('2026-11-23T11:00:00Z');
const iso = (offsetMs: number): string => new Date(NOW + offsetMs).toISOString();
const policy: Policy = { settings: {}, progressDeadlineMs: 60_000, maxRestarts: 3, scaleDownDelayMs: 30_000, waitScaleDown: false, keep: 2 };
const gates = parseGatesDocument('gates:\n  - name: check\n    webhook: http://127.0.0.1:1/hook\n    at: [step]\n', 'gates.yaml');

/** Stable 1.0.0 with 4 ready pods, and 2.0.0 (created later) with `canary` replicas and ready pods. */
function twoVersions(canary: [replicas: number, ready: number] = [1, 1], tweak: (w: World) => void = () => undefined): World {
  const w = world('1.0.0', [deployment('1.0.0', 4, 4, '2026-11-23T09:00:00Z'), deployment('2.0.0', canary[0], canary[1], '2026-11-23T10:00:00Z')]);
  tweak(w);
  return w;
}

/** One line per effect: what it writes, readably. */
function show(effect: Effect): string {
  switch (effect.kind) {
    case 'write-state':
      return 'write-state';
    case 'record':
      return `record ${effect.entry.event}`;
    case 'apply-traffic':
      return `traffic ${effect.plan.tracks.map((t) => `${t.version}:${t.role}=${t.weight}${t.serving ? '' : '(no header route)'}`).join(' ')}`;
    case 'scale':
      return `scale ${effect.deployment}=${effect.replicas}`;
    case 'retarget-scalers':
      return `retarget ${effect.deployment}`;
    case 'delete-version':
      return `delete ${effect.version}`;
    case 'notify-rollback':
      return `notify-rollback${effect.gates === undefined ? '' : ' with gates'}`;
    case 'notify-promoted':
      return `notify-promoted ${effect.message}`;
  }
}

interface Case {
  name: string;
  stored: RolloutState | undefined;
  world: World;
  policy?: Partial<Policy>;
  measured?: Record<string, AnalysisOutcome>;
  effects: string[];
  next: Next;
  /** Further checks of the decided state. */
  state?: (s: RolloutState) => void;
}

const ABORT = ['write-state', 'record Aborted', 'traffic 1.0.0:stable=100 2.0.0:canary=0', 'scale web-2-0-0=0', 'notify-rollback'];

const cases: Case[] = [
  {
    name: 'a fresh canary at step 0 is adopted, started and scaled for its first weight',
    stored: undefined,
    world: twoVersions([0, 0]),
    policy: { settings: { steps: [{ kind: 'weight', weight: 10 }, { kind: 'weight', weight: 100 }] } },
    effects: ['write-state', 'record Adopted', 'record RolloutStarted', 'scale web-2-0-0=1', 'write-state', 'record Scaled'],
    next: { kind: 'again' },
    state: (s) => assert.deepEqual([s.phase, s.stable, s.canary, s.step, s.weight], ['Progressing', '1.0.0', '2.0.0', 0, 0]),
  },
  {
    name: 'a ready canary gets its step weight, traffic follows, and the next step begins',
    stored: progressing({ step: 0, weight: 0, stepStartedAt: iso(-5_000) }),
    world: twoVersions(),
    effects: ['write-state', 'record WeightSet', 'traffic 1.0.0:stable=90 2.0.0:canary=10', 'write-state'],
    next: { kind: 'again' },
    state: (s) => assert.deepEqual([s.step, s.weight, s.stepStartedAt], [1, 10, undefined]),
  },
  {
    name: 'a canary not ready yet waits for readiness, at most until the progress deadline',
    stored: progressing({ step: 0, weight: 0, stepStartedAt: iso(-10_000) }),
    world: twoVersions([1, 0]),
    effects: [],
    next: { kind: 'wait', for: 'readiness', until: NOW - 10_000 + 60_001 },
  },
  {
    name: 'a Deployment that reports ready pods the pod list does not hold (status lagging a scale to zero and back) waits',
    stored: progressing({ step: 0, weight: 0, stepStartedAt: iso(-10_000) }),
    world: twoVersions([1, 1], (w) => (w.readyPods = { '1.0.0': 4, '2.0.0': 0 })),
    effects: [],
    next: { kind: 'wait', for: 'readiness', until: NOW - 10_000 + 60_001 },
  },
  {
    name: 'the first judgement of a step records when the step started',
    stored: progressing({ step: 0, weight: 0 }),
    world: twoVersions([1, 0]),
    effects: ['write-state'],
    next: { kind: 'wait', for: 'readiness', until: NOW + 60_001 },
    state: (s) => assert.equal(s.stepStartedAt, iso(0)),
  },
  {
    name: 'a canary still not ready after the progress deadline is rolled back',
    stored: progressing({ step: 1, weight: 10, stepStartedAt: iso(-61_000) }),
    world: twoVersions([1, 0]),
    effects: ABORT,
    next: { kind: 'done', outcome: 'degraded' },
    state: (s) => {
      assert.equal(s.phase, 'Degraded');
      assert.match(s.message ?? '', /^progress-deadline: 2\.0\.0 not ready within the progress deadline \(60s\)/);
    },
  },
  {
    name: 'a canary whose pods restarted more than allowed is rolled back',
    stored: progressing({ step: 1, weight: 10, stepStartedAt: iso(-5_000) }),
    world: twoVersions([1, 1], (w) => (w.restarts = { '2.0.0': 4 })),
    effects: ABORT,
    next: { kind: 'done', outcome: 'degraded' },
    state: (s) => assert.equal(s.message, 'restarts: 4 container restarts or failed pods (more than 3)'),
  },
  {
    name: 'a step with gates asks for a measurement once traffic is on the canary',
    stored: progressing({ step: 0, weight: 0, stepStartedAt: iso(-5_000) }),
    world: twoVersions(),
    policy: { gates },
    effects: ['write-state', 'record WeightSet', 'traffic 1.0.0:stable=90 2.0.0:canary=10'],
    next: { kind: 'measure', key: 'step-1', hook: 'step', gates },
  },
  {
    name: 'a measurement still running waits for its next sample',
    stored: progressing({ step: 0, weight: 10, stepStartedAt: iso(-5_000) }),
    world: twoVersions(),
    policy: { gates },
    measured: { 'step-1': { kind: 'wait', until: NOW + 30_000 } },
    effects: ['traffic 1.0.0:stable=90 2.0.0:canary=10'],
    next: { kind: 'wait', for: 'analysis', until: NOW + 30_000 },
  },
  {
    name: 'a failed analysis rolls back, calling the rollback hooks of the gates it judged by',
    stored: progressing({ step: 0, weight: 10, stepStartedAt: iso(-5_000) }),
    world: twoVersions(),
    policy: { gates },
    measured: { 'step-1': { kind: 'fail', reason: 'analysis failed at step 1: check: HTTP 500' } },
    effects: ['traffic 1.0.0:stable=90 2.0.0:canary=10', ...ABORT.slice(0, -1), 'notify-rollback with gates'],
    next: { kind: 'done', outcome: 'degraded' },
    state: (s) => assert.equal(s.message, 'analysis failed at step 1: check: HTTP 500'),
  },
  {
    name: 'an inconclusive analysis pauses the rollout for a person',
    stored: progressing({ step: 0, weight: 10, stepStartedAt: iso(-5_000) }),
    world: twoVersions(),
    policy: { gates },
    measured: { 'step-1': { kind: 'inconclusive', reason: 'analysis inconclusive at step 1: no data' } },
    effects: ['traffic 1.0.0:stable=90 2.0.0:canary=10', 'write-state', 'record Paused'],
    next: { kind: 'wait', for: 'person' },
    state: (s) => assert.deepEqual([s.phase, s.pausedBy], ['Paused', 'analysis']),
  },
  {
    name: 'a timed pause starts its clock',
    stored: progressing({ step: 1, weight: 10, steps: [{ kind: 'weight', weight: 10 }, { kind: 'pause', durationMs: 60_000 }, { kind: 'weight', weight: 100 }] }),
    world: twoVersions(),
    effects: ['write-state', 'record Pausing'],
    next: { kind: 'wait', for: 'pause', until: NOW + 60_000 },
    state: (s) => assert.equal(s.pauseUntil, iso(60_000)),
  },
  {
    name: 'a timed pause not over yet waits until its end, writing nothing',
    stored: progressing({ step: 1, weight: 10, pauseUntil: iso(20_000), steps: [{ kind: 'weight', weight: 10 }, { kind: 'pause', durationMs: 60_000 }, { kind: 'weight', weight: 100 }] }),
    world: twoVersions(),
    effects: [],
    next: { kind: 'wait', for: 'pause', until: NOW + 20_000 },
  },
  {
    name: 'a timed pause that is over goes on to the next step',
    stored: progressing({ step: 1, weight: 10, pauseUntil: iso(-1), steps: [{ kind: 'weight', weight: 10 }, { kind: 'pause', durationMs: 60_000 }, { kind: 'weight', weight: 100 }] }),
    world: twoVersions(),
    effects: ['write-state'],
    next: { kind: 'again' },
    state: (s) => assert.deepEqual([s.step, s.pauseUntil], [2, undefined]),
  },
  {
    name: 'an indefinite pause step pauses for promote or resume',
    stored: progressing({ step: 2, weight: 25 }),
    world: twoVersions(),
    effects: ['write-state', 'record Paused'],
    next: { kind: 'wait', for: 'person' },
    state: (s) => assert.equal(s.message, 'paused at step 3/4: run "promote" or "resume" to continue'),
  },
  {
    name: 'a paused rollout keeps its traffic where it is and waits',
    stored: progressing({ phase: 'Paused', step: 2, weight: 25 }),
    world: twoVersions(),
    effects: ['traffic 1.0.0:stable=75 2.0.0:canary=25'],
    next: { kind: 'wait', for: 'person' },
  },
  {
    name: 'an abort request rolls back to the stable version',
    stored: progressing({ request: { kind: 'abort', by: 'ci', at: iso(-1_000) } }),
    world: twoVersions(),
    effects: ABORT,
    next: { kind: 'done', outcome: 'degraded' },
    state: (s) => assert.deepEqual([s.phase, s.weight, s.message, s.request], ['Degraded', 0, 'aborted by ci', undefined]),
  },
  {
    name: 'a Degraded rollout keeps traffic on stable and the canary scaled down',
    stored: progressing({ phase: 'Degraded', weight: 0, message: 'aborted by ci' }),
    world: twoVersions(),
    effects: ['traffic 1.0.0:stable=100 2.0.0:canary=0', 'scale web-2-0-0=0', 'notify-rollback'],
    next: { kind: 'done', outcome: 'degraded' },
  },
  {
    name: 'an undo whose target cannot become ready is refused: traffic never left stable, the target stays retained',
    stored: progressing({ undo: true, steps: [], step: 0, weight: 0, stepStartedAt: iso(-61_000) }),
    world: twoVersions([4, 0]),
    effects: ['write-state', 'record UndoRefused', 'traffic 1.0.0:stable=100 2.0.0:retained=0', 'scale web-2-0-0=0'],
    next: { kind: 'done', outcome: 'degraded' },
    state: (s) => assert.deepEqual([s.phase, s.canary, s.retained[0]], ['Healthy', undefined, { version: '2.0.0', scaleDownAt: iso(0) }]),
  },
  {
    name: 'a promote request at an indefinite pause skips to the next step, which scales the canary up',
    stored: progressing({ phase: 'Paused', step: 2, weight: 25, request: { kind: 'promote', by: 'ci', at: iso(-1_000) } }),
    world: twoVersions(),
    effects: ['write-state', 'record Promote', 'scale web-2-0-0=4', 'write-state', 'record Scaled'],
    next: { kind: 'again' },
    state: (s) => assert.deepEqual([s.phase, s.step], ['Progressing', 3]),
  },
  {
    name: 'past the last step the canary is promoted: traffic flips first, then the state, with the scale-down due later',
    stored: progressing({ step: 4, weight: 100, stepStartedAt: iso(-5_000) }),
    world: twoVersions([4, 4]),
    effects: ['traffic 2.0.0:stable=100 1.0.0:retained=0', 'retarget web-2-0-0', 'write-state', 'record Promoted', 'notify-promoted 2.0.0 is stable'],
    next: { kind: 'again' },
    state: (s) => {
      assert.deepEqual([s.phase, s.stable, s.canary, s.stableReplicas], ['Healthy', '2.0.0', undefined, 4]);
      assert.deepEqual(s.retained, [{ version: '1.0.0', scaleDownAt: iso(30_000) }]);
    },
  },
  {
    name: 'a release holds an app once it has done the steps asked (lock-step)',
    stored: progressing({ step: 1, weight: 10 }),
    world: twoVersions(),
    policy: { holdAtStep: 1 },
    effects: [],
    next: { kind: 'done', outcome: 'held' },
  },
  {
    name: 'a replaced canary that still holds a share of the routes gives it back to stable before anything else',
    stored: progressing({ canary: '3.0.0', step: 0, weight: 0, retained: [{ version: '2.0.0', scaleDownAt: iso(0), aborted: true }] }),
    world: twoVersions([1, 1], (w) => {
      w.deployments.set('3.0.0', deployment('3.0.0', 0, 0, '2026-11-23T10:30:00Z'));
      w.liveWeights = { '2.0.0': 25 };
    }),
    effects: ['traffic 1.0.0:stable=100 2.0.0:retained=0 3.0.0:canary=0', 'write-state', 'record TrafficReturned'],
    next: { kind: 'again' },
  },
  {
    name: 'where replica counts split the traffic, a replaced canary loses its header route and its pods first',
    stored: progressing({ router: 'service', canary: '3.0.0', step: 0, weight: 0, retained: [{ version: '2.0.0', scaleDownAt: iso(0), aborted: true }] }),
    world: twoVersions([1, 1], (w) => w.deployments.set('3.0.0', deployment('3.0.0', 0, 0, '2026-11-23T10:30:00Z'))),
    effects: ['traffic 1.0.0:stable=100 2.0.0:retained=0(no header route) 3.0.0:canary=0', 'scale web-2-0-0=0', 'write-state', 'record TrafficReturned'],
    next: { kind: 'again' },
  },
  {
    name: 'traffic moved outside switchyard goes back to the recorded stable version first',
    stored: progressing({ phase: 'Healthy', stable: '2.0.0', canary: undefined, weight: 0, retained: [{ version: '1.0.0' }] }),
    world: twoVersions([4, 4], (w) => (w.liveStable = '1.0.0')),
    effects: ['write-state', 'record TrafficRestored', 'traffic 2.0.0:stable=100 1.0.0:retained=0'],
    next: { kind: 'again' },
    state: (s) => assert.match(s.history.at(-1)?.message ?? '', /^the stable Service selected 1\.0\.0 \(changed outside switchyard/),
  },
  {
    name: 'healthy, a retained version due for scale-down loses its header route, then its pods',
    stored: progressing({ phase: 'Healthy', stable: '2.0.0', canary: undefined, weight: 0, retained: [{ version: '1.0.0', scaleDownAt: iso(-1) }] }),
    world: twoVersions([4, 4], (w) => (w.liveStable = '2.0.0')),
    effects: ['traffic 2.0.0:stable=100 1.0.0:retained=0(no header route)', 'scale web-1-0-0=0', 'write-state', 'record ScaledDown'],
    next: { kind: 'done', outcome: 'healthy' },
  },
  {
    name: 'healthy with a scale-down still pending, the drive is done unless asked to wait for it',
    stored: progressing({ phase: 'Healthy', stable: '2.0.0', canary: undefined, weight: 0, retained: [{ version: '1.0.0', scaleDownAt: iso(20_000) }] }),
    world: twoVersions([4, 4], (w) => (w.liveStable = '2.0.0')),
    policy: { waitScaleDown: true },
    effects: ['traffic 2.0.0:stable=100 1.0.0:retained=0'],
    next: { kind: 'wait', for: 'scale-down', until: NOW + 20_000 },
  },
  {
    name: 'healthy with more versions retained than kept, the oldest is retired and deleted after its routes',
    stored: progressing({ phase: 'Healthy', stable: '2.0.0', canary: undefined, weight: 0, retained: [{ version: '1.0.0' }, { version: '0.9.0' }] }),
    world: twoVersions([4, 4], (w) => {
      w.liveStable = '2.0.0';
      w.deployments.set('1.0.0', deployment('1.0.0', 0, 0, '2026-11-23T09:00:00Z'));
      w.deployments.set('0.9.0', deployment('0.9.0', 0, 0, '2026-11-23T08:00:00Z'));
    }),
    policy: { keep: 1 },
    effects: ['traffic 2.0.0:stable=100 0.9.0:retained=0(no header route) 1.0.0:retained=0(no header route)', 'write-state', 'record Retired', 'traffic 2.0.0:stable=100 1.0.0:retained=0(no header route)', 'delete 0.9.0'],
    next: { kind: 'again' },
  },
  {
    name: 'blue-green: a ready preview waits for the switch',
    stored: progressing({ strategy: 'bluegreen', steps: [{ kind: 'weight', weight: 0 }, { kind: 'pause' }], step: 1, weight: 0 }),
    world: twoVersions([4, 4]),
    effects: ['write-state', 'record Paused'],
    next: { kind: 'wait', for: 'person' },
    state: (s) => assert.equal(s.message, '2.0.0 is ready as the preview: run "kubectl bluegreen switch web" to make it active'),
  },
  {
    name: 'blue-green: the switch promotes the full-size preview at once',
    stored: progressing({ strategy: 'bluegreen', phase: 'Paused', steps: [{ kind: 'weight', weight: 0 }, { kind: 'pause' }], step: 1, weight: 0, request: { kind: 'promote-full', by: 'ci', at: iso(-1_000) } }),
    world: twoVersions([4, 4]),
    effects: ['write-state', 'record Promote', 'write-state', 'traffic 2.0.0:stable=100 1.0.0:retained=0', 'retarget web-2-0-0', 'write-state', 'record Promoted', 'notify-promoted 2.0.0 is stable'],
    next: { kind: 'again' },
    state: (s) => assert.deepEqual([s.phase, s.stable], ['Healthy', '2.0.0']),
  },
];

for (const c of cases) {
  test(c.name, () => {
    const stored = c.stored === undefined ? undefined : structuredClone(c.stored);
    const decision: Decision = decide({ stored, world: c.world, now: NOW, policy: { ...policy, ...c.policy }, measured: new Map(Object.entries(c.measured ?? {})) });
    assert.deepEqual(decision.effects.map(show), c.effects);
    assert.deepEqual(decision.next, c.next);
    c.state?.(decision.state);
    assert.deepEqual(stored, c.stored, 'decide never changes the stored state it is given');
  });
}

test('the state a decision writes last is the state it returns', () => {
  const decision = decide({ stored: progressing({ step: 0, weight: 0, stepStartedAt: iso(-5_000) }), world: twoVersions(), now: NOW, policy });
  const written = decision.effects.filter((e) => e.kind === 'write-state').at(-1);
  assert.deepEqual(written?.kind === 'write-state' ? written.state : undefined, decision.state);
});

test('decide never changes the world it is given (a scale is seen only by the rest of the decision)', () => {
  const w = twoVersions([0, 0]);
  const before = JSON.stringify([...w.deployments]);
  decide({ stored: progressing({ step: 0, weight: 0 }), world: w, now: NOW, policy });
  assert.equal(JSON.stringify([...w.deployments]), before);
});

test('a malformed gates annotation fails the decision after the writes before it', () => {
  const bad: KubeObject = deployment('2.0.0', 1, 1, '2026-11-23T10:00:00Z');
  bad.metadata.annotations = { 'switchyard.dev/gates': 'gates: [' };
  const w = world('1.0.0', [deployment('1.0.0', 4, 4, '2026-11-23T09:00:00Z'), bad]);
  const decision = decide({ stored: undefined, world: w, now: NOW, policy });
  assert.deepEqual(decision.effects.map(show), ['write-state', 'record Adopted', 'record RolloutStarted']);
  assert.equal(decision.next.kind, 'fail');
  assert.match(String((decision.next as { error: unknown }).error), /switchyard\.dev\/gates/);
});
