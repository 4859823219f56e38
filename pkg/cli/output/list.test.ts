import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AppStatus } from '../../rollout/view.ts';
import { healthy, progressing, superseded } from './fixture.ts';
import { noRolloutsFound, renderList } from './list.ts';
import { createStyle } from './style.ts';

const plain = createStyle(false);

function apps(): AppStatus[] {
  const zeta = { ...healthy(), app: 'zeta', namespace: 'prod' };
  const degraded: AppStatus = { ...progressing(), app: 'cart', namespace: 'prod', phase: 'Degraded', weight: 0, step: { index: 0, total: 0 } };
  return [zeta, progressing(), healthy(), degraded];
}

test('all namespaces: one line per app, sorted by namespace then name, NAMESPACE first', () => {
  assert.equal(
    renderList(apps(), plain, { allNamespaces: true }),
    [
      'NAMESPACE   NAME   PHASE         STABLE   CANARY   WEIGHT   STEP   READY',
      'dev         api    Healthy       3.1.0    -        -        -      2/2',
      'prod        cart   Degraded      1.0.0    2.0.0    0%       -      5/6',
      'prod        web    Progressing   1.0.0    2.0.0    25%      2/4    5/6',
      'prod        zeta   Healthy       3.1.0    -        -        -      2/2',
      '',
    ].join('\n'),
  );
});

test('one namespace: no NAMESPACE column', () => {
  assert.equal(
    renderList([progressing()], plain, { allNamespaces: false }),
    ['NAME   PHASE         STABLE   CANARY   WEIGHT   STEP   READY', 'web    Progressing   1.0.0    2.0.0    25%      2/4    5/6', ''].join('\n'),
  );
});

test('READY leaves out retained versions', () => {
  const view = healthy();
  view.versions[1]!.replicas = 4;
  view.versions[1]!.readyReplicas = 1;
  assert.equal(
    renderList([view], plain, { allNamespaces: false }),
    ['NAME   PHASE     STABLE   CANARY   WEIGHT   STEP   READY', 'api    Healthy   3.1.0    -        -        -      2/2', ''].join('\n'),
  );
});

test('the input order does not matter and the input is not reordered', () => {
  const input = apps();
  const names = input.map((v) => v.app);
  assert.equal(renderList(input, plain, { allNamespaces: true }), renderList([...input].reverse(), plain, { allNamespaces: true }));
  assert.deepEqual(
    input.map((v) => v.app),
    names,
  );
});

test('an empty list renders nothing, and the stderr line names the namespace when there is one', () => {
  assert.equal(renderList([], plain, { allNamespaces: false }), '');
  assert.equal(noRolloutsFound({ allNamespaces: false, namespace: 'prod' }), 'No rollouts found in namespace prod.\n');
  assert.equal(noRolloutsFound({ allNamespaces: true, namespace: 'prod' }), 'No rollouts found.\n');
  assert.equal(noRolloutsFound({ allNamespaces: false }), 'No rollouts found.\n');
});

test('with colour the phase is coloured and the table has borders', () => {
  const text = renderList([progressing()], createStyle(true), { allNamespaces: false });
  assert.ok(text.includes('\x1b[36mProgressing\x1b[39m'));
  assert.ok(text.startsWith('┌'));
});

test('WEIGHT is the canary\'s live weight, with what a superseded version still receives', () => {
  const lines = renderList([superseded()], plain, { allNamespaces: false }).split('\n');
  assert.match(lines[1]!, /^web +Progressing +1\.0\.0 +3\.0\.0 +0% \(2\.0\.0 superseded: 20%\) +1\/4 +3\/3$/);
});
