import assert from 'node:assert/strict';
import { test } from 'node:test';
import { programFor } from './entry.ts';

test('the invoked name picks the program, with or without a directory or .exe', () => {
  const cases: [string, string[], string, string | undefined, string[]][] = [
    ['/home/u/.krew/bin/kubectl-canary', ['status', 'web'], 'plugin', 'canary', ['status', 'web']],
    ['kubectl-rollout_canary', ['run'], 'plugin', 'canary', ['run']],
    ['C:\\krew\\bin\\kubectl-bluegreen.exe'.replaceAll('\\', '/'), ['switch'], 'plugin', 'bluegreen', ['switch']],
    ['KUBECTL-BLUEGREEN.EXE'.toLowerCase(), [], 'plugin', 'bluegreen', []],
    ['kubectl_complete-canary', ['st'], 'complete', 'canary', ['st']],
    ['switchyard-postrender', ['--offline'], 'postrender', undefined, ['--offline']],
    ['/opt/switchyard', ['postrender', '--offline'], 'postrender', undefined, ['--offline']],
    ['switchyard.exe', ['bluegreen', 'version'], 'plugin', 'bluegreen', ['version']],
    ['switchyard', ['complete-bluegreen', ''], 'complete', 'bluegreen', ['']],
  ];
  for (const [name, argv, kind, plugin, rest] of cases) {
    const p = programFor(name, argv);
    assert.equal(p.kind, kind, name);
    assert.equal(p.kind === 'postrender' ? undefined : p.plugin.name, plugin, name);
    assert.deepEqual(p.argv, rest, name);
  }
});

test('under its own name without a program, or with an unknown one, it is a usage error', () => {
  assert.throws(() => programFor('switchyard', []), /name a program/);
  assert.throws(() => programFor('switchyard', ['deploy']), /name a program/);
});
