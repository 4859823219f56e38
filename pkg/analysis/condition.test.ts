import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meets, parseCondition } from './condition.ts';

test('conditions: operators, percentages, durations and ranges', () => {
  const cases: [string, number, boolean][] = [
    ['< 0.01', 0.005, true],
    ['< 0.01', 0.01, false],
    ['<=0.01', 0.01, true],
    ['> 5', 5, false],
    ['>= 99%', 0.99, true],
    ['>= 99%', 0.9899, false],
    ['< 500ms', 0.4, true],
    ['< 500ms', 0.5, false],
    ['< 2s', 1.9, true],
    ['< 1m', 59, true],
    ['== 0', 0, true],
    ['!= 0', 0, false],
    ['0.9..1', 0.95, true],
    ['0.9..1', 1.01, false],
    ['90%..100%', 0.9, true],
    ['>= 1e-3', 0.001, true],
  ];
  for (const [text, value, expected] of cases) assert.equal(meets(parseCondition(text), value), expected, `${text} with ${value}`);
});

test('NaN never meets a condition', () => {
  assert.equal(meets(parseCondition('!= 1'), Number.NaN), false);
  assert.equal(meets(parseCondition('0..1'), Number.NaN), false);
});

test('bad conditions are one-line errors naming the text', () => {
  for (const bad of ['0.01', '< abc', '=< 1', '1..0', '', '< 5 parsecs']) {
    assert.throws(() => parseCondition(bad), (err: Error) => err.message.startsWith(`invalid condition "${bad}"`) && !err.message.includes('\n'), bad);
  }
});
