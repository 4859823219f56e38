import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NOW, healthy, progressing, superseded } from './fixture.ts';
import { renderStatus, weightBar } from './status.ts';
import { createStyle } from './style.ts';

const plain = createStyle(false);

test('a canary in progress shows header, weight bar, versions and gates as plain columns', () => {
  assert.equal(
    renderStatus(progressing(), plain, { now: NOW }),
    [
      'Name:       web',
      'Namespace:  prod',
      'Phase:      Progressing (waiting for 3 ready pods of 2.0.0)',
      'Strategy:   canary',
      'Router:     gateway',
      'Versions:   1.0.0 -> 2.0.0',
      'Step:       2/4 set weight 25%',
      'Elapsed:    4m10s',
      'Traffic:    [#####...............] 25% -> 2.0.0',
      '',
      'VERSION   ROLE     WEIGHT   READY   RESTARTS   NAMED BY    DEPLOYMENT',
      '2.0.0     canary   25%      2/3     1          image tag   web-2-0-0',
      '1.0.0     stable   75%      3/3     0          flag        web-1-0-0',
      '',
      'GATE         RESULT   MESSAGE',
      'ready        ok       3/3 pods ready',
      'error-rate   FAIL     5.2% > 1%',
      '',
    ].join('\n'),
  );
});

test('a healthy app leaves out step, elapsed time, weight bar and gates', () => {
  assert.equal(
    renderStatus(healthy(), plain, { now: NOW }),
    [
      'Name:       api',
      'Namespace:  dev',
      'Phase:      Healthy',
      'Strategy:   bluegreen',
      'Router:     nginx',
      'Versions:   3.1.0',
      '',
      'VERSION   ROLE       WEIGHT   READY   RESTARTS   NAMED BY   DEPLOYMENT',
      '3.1.0     stable     100%     2/2     -          -          api-3-1-0',
      '3.0.0     retained   0%       0/0     -          -          api-3-0-0',
      '',
    ].join('\n'),
  );
});

test('no line of the plain view ends in a space', () => {
  for (const line of renderStatus(progressing(), plain, { now: NOW }).split('\n')) assert.doesNotMatch(line, / $/, JSON.stringify(line));
});

test('a narrow terminal narrows the weight bar, but not below ten cells', () => {
  const line = (width: number): string | undefined => renderStatus(progressing(), plain, { now: NOW, width }).split('\n').find((l) => l.startsWith('Traffic:'));
  assert.equal(line(40), 'Traffic:    [###..........] 25% -> 2.0.0');
  assert.equal(line(20), 'Traffic:    [###.......] 25% -> 2.0.0');
  assert.equal(line(200), 'Traffic:    [#####...............] 25% -> 2.0.0');
});

test('the weight bar fills one cell for any weight above zero and leaves one empty below 100', () => {
  const cases: [number, string][] = [
    [0, '[....................] 0% -> v2'],
    [1, '[#...................] 1% -> v2'],
    [50, '[##########..........] 50% -> v2'],
    [99, '[###################.] 99% -> v2'],
    [100, '[####################] 100% -> v2'],
    [140, '[####################] 100% -> v2'],
  ];
  for (const [weight, expected] of cases) assert.equal(weightBar(weight, 'v2', plain), expected, `weight ${weight}`);
});

test('the elapsed time never goes negative when the clock lags the cluster', () => {
  const text = renderStatus(progressing(), plain, { now: Date.parse('2026-11-23T09:59:00Z') });
  assert.match(text, /^Elapsed: {4}0ms$/m);
});

test('messages from the cluster cannot break lines or inject escape sequences', () => {
  const view = progressing();
  view.message = 'line one\n  line two\x1b[31m red\x07';
  view.gates = [{ name: 'probe', ok: false, message: 'a\tb\r\nc' }];
  const text = renderStatus(view, plain, { now: NOW });
  assert.match(text, /^Phase: {6}Progressing \(line one line two red\)$/m);
  assert.match(text, /^probe {3}FAIL {5}a b c$/m);
  assert.ok(!text.includes('\x1b') && !text.includes('\x07'));
});

test('with colour the gate results are a green tick and a red cross and the phase has its symbol', () => {
  const text = renderStatus(progressing(), createStyle(true), { now: NOW });
  assert.ok(text.includes('\x1b[32m✔\x1b[39m'), 'green tick');
  assert.ok(text.includes('\x1b[31m✖\x1b[39m'), 'red cross');
  assert.ok(text.includes('\x1b[36m◌ Progressing\x1b[39m'), 'cyan phase with symbol');
  assert.ok(text.includes('\x1b[36m█████\x1b[39m\x1b[2m░░░░░░░░░░░░░░░\x1b[22m] 25% → 2.0.0'), 'coloured bar');
});

test('a replaced canary that still receives traffic is marked, and every weight is the live one with the asked one beside it', () => {
  assert.equal(
    renderStatus(superseded(), plain, { now: NOW }),
    [
      'Name:       web',
      'Namespace:  prod',
      'Phase:      Progressing',
      'Strategy:   canary',
      'Router:     gateway',
      'Versions:   1.0.0 -> 3.0.0',
      'Step:       1/4 set weight 10%',
      'Elapsed:    10s',
      'Traffic:    [....................] 0% -> 3.0.0',
      'Superseded: 2.0.0 still receives 20% of traffic; the next "run" moves it back to 1.0.0 before it goes on with 3.0.0',
      '',
      'VERSION   ROLE                   WEIGHT             READY   RESTARTS   NAMED BY   DEPLOYMENT',
      '1.0.0     stable                 80% (100% asked)   2/2     -          -          web-1-0-0',
      '3.0.0     canary                 0%                 1/1     -          -          web-3-0-0',
      '2.0.0     retained, superseded   20% (0% asked)     1/1     -          -          web-2-0-0',
      '',
    ].join('\n'),
  );
});

test('the weight bar shows what the routes give the canary, not what the state asks', () => {
  const view = progressing();
  view.versions[0]!.liveWeight = 10;
  assert.match(renderStatus(view, plain, { now: NOW }), /^Traffic: {4}\[##\.+\] 10% -> 2\.0\.0$/m);
});

test('the capacity line says how many pods the canary has for the weight of its step', () => {
  const line = (capacity: NonNullable<ReturnType<typeof progressing>['capacity']>): string | undefined => {
    const view = progressing();
    view.capacity = capacity;
    return renderStatus(view, plain, { now: NOW }).split('\n').find((l) => l.startsWith('Capacity:'));
  };
  assert.equal(line({ version: '2.0.0', replicas: 1, targetReplicas: 1, stableReplicas: 2, weight: 50 }), 'Capacity:   2.0.0 scaled to 1 of 2 replicas for 50%');
  assert.equal(
    line({ version: '2.0.0', replicas: 1, targetReplicas: 3, stableReplicas: 6, weight: 50, autoscaler: { name: 'web', maxReplicas: 8 } }),
    'Capacity:   2.0.0 has 1, scaling to 3 of 6 replicas for 50% (stable scaled by HPA web, at most 8)',
  );
  assert.equal(renderStatus(progressing(), plain, { now: NOW }).includes('Capacity:'), false, 'no line without a capacity');
});
