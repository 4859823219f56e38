// The zsh and fish completion scripts, run by the real shells (part of `npm run test:dist`,
// whose machine needs zsh and fish; bash is tested with the unit tests).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { completionScript } from '../../pkg/cli/completion-scripts.ts';

const scratch = mkdtempSync(join(tmpdir(), 'switchyard-completion-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const installed = (shell: string): boolean => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

test('zsh: the words from 2 to CURRENT go to __complete; candidates become name:description, colons escaped', () => {
  assert.ok(installed('zsh'), 'zsh is not installed: npm run test:dist needs zsh and fish (apt-get install zsh fish)');
  const script = [
    `kubectl-canary() { print -rl -- "$@" > ${join(scratch, 'zsh-args')}; printf 'status\\tShow an app\\nsystem:x\\tHas a colon\\n:4\\n'; }`,
    'compdef() { :; }',
    '_describe() { print -rl -- "${(@P)${4}}"; }',
    '_files() { print FILES; }',
    completionScript('zsh', 'canary'),
    'words=(kubectl-canary s); CURRENT=2',
    '_kubectl_canary',
  ].join('\n');
  const r = spawnSync('zsh', ['-f', '-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'status:Show an app\nsystem\\:x:Has a colon\n');
  assert.equal(readFileSync(join(scratch, 'zsh-args'), 'utf8'), '__complete\ns\n');
});

test('fish: complete -C runs __complete with the words and offers the candidates with descriptions', () => {
  assert.ok(installed('fish'), 'fish is not installed: npm run test:dist needs zsh and fish (apt-get install zsh fish)');
  const script = [
    'function kubectl-canary',
    `    printf '%s\\n' $argv > ${join(scratch, 'fish-args')}`,
    "    printf 'status\\tShow an app\\nset-weight\\tHold\\n:4\\n'",
    'end',
    completionScript('fish', 'canary'),
    "complete -C 'kubectl-canary s'",
  ].join('\n');
  const r = spawnSync('fish', ['--no-config', '-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').sort(), ['set-weight\tHold', 'status\tShow an app']);
  assert.equal(readFileSync(join(scratch, 'fish-args'), 'utf8'), '__complete\ns\n');
});

