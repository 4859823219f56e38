import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialState, reconcile } from './reconcile.ts';
import { applyRequest, request } from './requests.ts';
import { deployment, progressing, world } from './fixture.test-util.ts';

const NOW = Date.parse('2026-11-23T10:05:00Z');
const v1 = deployment('1.0.0', 2, 2, '2026-11-23T09:00:00Z');
const v2 = deployment('2.0.0', 1, 1, '2026-11-23T09:30:00Z');
const v3 = deployment('3.0.0', 1, 0, '2026-11-23T10:00:00Z');

test('an app seen for the first time takes the selected version as stable and the newest other as its rollout', () => {
  const state = reconcile(initialState(world('1.0.0', [v1, v2]), {}, NOW), world('1.0.0', [v1, v2]), {}, NOW);
  assert.equal(state.stable, '1.0.0');
  assert.equal(state.canary, '2.0.0');
  assert.equal(state.phase, 'Progressing');
  assert.deepEqual(state.steps.map((s) => (s.kind === 'weight' ? s.weight : 'pause')), [10, 25, 50, 100]);
});

test('a version deployed during a rollout replaces the canary, which is kept for scale-down', () => {
  const state = reconcile(progressing(), world('1.0.0', [v1, v2, v3]), {}, NOW);
  assert.equal(state.canary, '3.0.0');
  assert.equal(state.step, 0);
  assert.equal(state.weight, 0);
  assert.equal(state.retained[0]?.version, '2.0.0');
});

test('a promotion whose Service flip happened before a crash is finished from the live selector', () => {
  const state = reconcile(progressing({ step: 4, weight: 100 }), world('2.0.0', [v1, v2]), { scaleDownDelayMs: 0 }, NOW);
  assert.equal(state.stable, '2.0.0');
  assert.equal(state.canary, undefined);
  assert.equal(state.phase, 'Healthy');
  assert.equal(state.retained[0]?.version, '1.0.0');
  assert.equal(state.history.at(-1)?.event, 'Promoted');
});

test('reconciling twice changes nothing more (idempotent)', () => {
  const w = world('1.0.0', [v1, v2, v3]);
  const once = reconcile(progressing(), w, {}, NOW);
  assert.deepEqual(reconcile(once, w, {}, NOW), once);
});

test('abort sends the weight to zero and marks the rollout Degraded with the reason', () => {
  const state = applyRequest(progressing({ request: request('abort', 'ci@host/1', NOW, { reason: 'bad metrics' }) }), NOW);
  assert.equal(state.phase, 'Degraded');
  assert.equal(state.weight, 0);
  assert.match(state.message!, /aborted by ci@host\/1: bad metrics/);
  assert.equal(state.request, undefined);
});

test('promote skips the current pause; promote --full jumps to the promotion', () => {
  const paused = progressing({ phase: 'Paused', step: 2 });
  assert.equal(applyRequest({ ...paused, request: request('promote', 'me', NOW) }, NOW).step, 3);
  assert.equal(applyRequest({ ...paused, request: request('promote-full', 'me', NOW) }, NOW).step, 4);
});

test('set-weight holds the canary at a weight by inserting a weight step and a pause', () => {
  const state = applyRequest(progressing({ step: 1, request: request('set-weight', 'me', NOW, { weight: 30 }) }), NOW);
  assert.deepEqual(state.steps.slice(1, 3), [{ kind: 'weight', weight: 30 }, { kind: 'pause' }]);
  assert.equal(state.phase, 'Progressing');
});

test('undo makes the retained version the one to promote, with no weight steps', () => {
  const healthy = progressing({ phase: 'Healthy', stable: '2.0.0', canary: undefined, weight: 0, retained: [{ version: '1.0.0' }], request: request('undo', 'me', NOW) });
  delete healthy.canary;
  const state = applyRequest(healthy, NOW);
  assert.equal(state.canary, '1.0.0');
  assert.deepEqual(state.steps, []);
  assert.equal(state.phase, 'Progressing');
});

test('retry restarts only a Degraded rollout', () => {
  assert.equal(applyRequest(progressing({ phase: 'Degraded', request: request('retry', 'me', NOW) }), NOW).step, 0);
  assert.equal(applyRequest(progressing({ request: request('retry', 'me', NOW) }), NOW).step, 2);
});

test('a malformed switchyard.dev/steps annotation is an error naming the workload, not the default plan', () => {
  const bad = deployment('2.0.0', 1, 1, '2026-11-23T09:30:00Z');
  bad.metadata.annotations = { 'switchyard.dev/steps': '10,fifty,100' };
  const live = world('1.0.0', [v1, bad]);
  assert.throws(() => reconcile(initialState(live, {}, NOW), live, {}, NOW), /^Error: Deployment demo\/web-2-0-0: invalid switchyard.dev\/steps annotation "10,fifty,100": invalid step "fifty"/);
  const flagged = reconcile(initialState(live, {}, NOW), live, { steps: [{ kind: 'weight', weight: 100 }] }, NOW);
  assert.deepEqual(flagged.steps, [{ kind: 'weight', weight: 100 }], '--steps still overrides it');
  bad.metadata.annotations = { 'switchyard.dev/steps': '5,pause:1m,100' };
  assert.deepEqual(reconcile(initialState(live, {}, NOW), live, {}, NOW).steps.map((s) => s.kind), ['weight', 'pause', 'weight']);
});
