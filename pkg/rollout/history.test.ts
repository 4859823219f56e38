import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drive } from './engine.ts';
import type { EngineEvent } from './engine.ts';
import { helmUpgrade, twoVersionCluster } from './fake-kube.test-util.ts';
import { eventType, isKnownEntry, parseHistory } from './history.ts';
import type { StoredHistoryEntry } from './history.ts';
import { MAX_HISTORY, parseSteps } from './state.ts';
import { parseState, readState, writeState } from './store.ts';

const at = '2026-11-23T10:00:00Z';

test('every entry a rollout records is of a known kind with all its fields', async () => {
  const kube = twoVersionCluster();
  const result = await drive(
    { kube, namespace: 'demo', app: 'web', now: () => Date.parse('2026-11-23T11:00:00Z'), emit: () => undefined },
    { wait: false, progressDeadlineMs: 60_000, maxRestarts: 3, scaleDownDelayMs: 0, keep: 2, settings: { steps: parseSteps('10,50,100') } },
  );
  assert.equal(result.outcome, 'healthy');
  const stored = (await readState(kube, 'demo', 'web'))!.state.history;
  assert.ok(stored.length >= 5, `recorded ${stored.length} entries`);
  for (const entry of stored) assert.ok(isKnownEntry(entry), `known: ${JSON.stringify(entry)}`);
  const promoted = stored.find((e) => e.event === 'Promoted');
  assert.ok(promoted !== undefined && isKnownEntry(promoted) && promoted.event === 'Promoted');
  assert.equal(promoted.previous, '1.0.0');
});

test('with the history full, what a drive records still reaches the live view and the Kubernetes Events', async () => {
  const kube = twoVersionCluster();
  const options = { wait: false, progressDeadlineMs: 60_000, maxRestarts: 3, scaleDownDelayMs: 0, keep: 2, settings: { steps: parseSteps('50,100') } };
  const deps = { kube, namespace: 'demo', app: 'web', now: () => Date.parse('2026-11-23T11:00:00Z'), emit: () => undefined };
  await drive(deps, options);
  const stored = (await readState(kube, 'demo', 'web'))!;
  const filler = Array.from({ length: MAX_HISTORY }, (): StoredHistoryEntry => ({ at, event: 'ScaledDown', message: 'old', version: '0.1.0' }));
  await writeState(kube, 'demo', { state: { ...stored.state, history: filler }, resourceVersion: stored.resourceVersion });
  await helmUpgrade(kube, '3.0.0', '2026-11-23T10:30:00Z');
  const heard: string[] = [];
  await drive({ ...deps, emit: (e: EngineEvent) => (e.kind === 'history' ? heard.push(e.entry.event) : undefined) }, options);
  assert.deepEqual(heard.slice(0, 2), ['RolloutStarted', 'WeightSet']);
  assert.ok(heard.includes('Promoted'), heard.join(' '));
  const reasons = kube.all('Event').map((e) => (e as { reason?: string }).reason);
  assert.ok(reasons.includes('RolloutStarted') && reasons.filter((r) => r === 'Promoted').length === 2, reasons.join(' '));
  assert.equal((await readState(kube, 'demo', 'web'))!.state.history.length, MAX_HISTORY);
});

const cases: { name: string; entry: StoredHistoryEntry; known: boolean }[] = [
  { name: 'a Promoted entry with its previous version', entry: { at, event: 'Promoted', message: 'm', version: '2.0.0', previous: '1.0.0', weight: 100 }, known: true },
  { name: 'a Promoted entry written before `previous` was recorded', entry: { at, event: 'Promoted', message: '2.0.0 is stable; 1.0.0 is retained for rollback', version: '2.0.0', weight: 100 }, known: false },
  { name: 'a kind from a newer switchyard', entry: { at, event: 'ReleaseStepped', message: 'three apps at 25%', weight: 25 }, known: false },
  { name: 'a Paused entry with a cause this version does not know', entry: { at, event: 'Paused', message: 'm', weight: 10, cause: 'weather' }, known: false },
  { name: 'an AnalysisStarted entry whose gates are not strings', entry: { at, event: 'AnalysisStarted', message: 'm', weight: 10, stage: 'step 1', gates: [1] }, known: false },
  { name: 'an Aborted entry without a version (optional)', entry: { at, event: 'Aborted', message: 'm', weight: 0, stable: '1.0.0', reason: 'r' }, known: true },
  { name: 'a kind named like an Object.prototype member', entry: { at, event: 'toString', message: 'm' }, known: false },
];

for (const c of cases) {
  test(`${c.name} is ${c.known ? 'known' : 'kept as stored'}`, () => {
    assert.equal(isKnownEntry(structuredClone(c.entry)), c.known);
  });
}

test('rollbacks and traffic moved outside switchyard are Warning Events, anything else (and unknown kinds) Normal', () => {
  assert.equal(eventType({ at, event: 'Aborted', message: 'm', weight: 0, stable: '1.0.0', reason: 'r' }), 'Warning');
  assert.equal(eventType({ at, event: 'TrafficRestored', message: 'm', version: '1.0.0', selected: '0.9.0' }), 'Warning');
  assert.equal(eventType({ at, event: 'ScaledDown', message: 'm', version: '1.0.0' }), 'Normal');
  assert.equal(eventType({ at, event: 'SomethingNew', message: 'm' }), 'Normal');
});

test('a stored state with old and unknown entries parses, keeping them as they were', () => {
  const history = [
    { at, event: 'Started', message: 'canary 2.0.0 started', version: '2.0.0', weight: 0 },
    { at, event: 'FromTheFuture', message: 'x', extra: { nested: true } },
    { at, event: 'Scaled', message: '2.0.0 scaled to 2 replicas', version: '2.0.0', replicas: 2 },
  ];
  const state = parseState({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'switchyard.web' }, data: { state: JSON.stringify({ app: 'web', history }) } });
  assert.deepEqual(state.history, history);
  assert.deepEqual(state.history.map(isKnownEntry), [false, false, true]);
});

test('history entries that are not objects with an event are dropped, a missing message becomes empty', () => {
  assert.deepEqual(parseHistory([null, 3, { message: 'no event' }, { at, event: 'X' }]), [{ at, event: 'X', message: '' }]);
  assert.deepEqual(parseHistory(undefined), []);
});
