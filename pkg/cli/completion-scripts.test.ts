import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { completionScript, SHELLS } from './completion-scripts.ts';
import { PLUGINS } from './entry.ts';
import { runPlugin } from './program.ts';
import { capturedIo } from './io.test-util.ts';

const scratch = mkdtempSync(join(tmpdir(), 'switchyard-completion-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Runs the bash script with `kubectl-canary` replaced by a function that records its
 * arguments and prints `answer`, then completes COMP_WORDS; prints the arguments and COMPREPLY.
 */
function bashComplete(answer: string, words: string[]): { args: string[]; reply: string[] } {
  const script = [
    `kubectl-canary() { printf '%s\\n' "$@" > "$ARGS_FILE"; printf '${answer.replaceAll('\n', '\\n').replaceAll('\t', '\\t')}'; }`,
    completionScript('bash', 'canary'),
    `COMP_WORDS=(kubectl-canary ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}`,
    '_kubectl_canary',
    'echo "--"; cat "$ARGS_FILE"; echo "--"; printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const argsFile = join(scratch, 'args');
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ARGS_FILE: argsFile } });
  assert.equal(r.status, 0, r.stderr);
  const [, args = '', reply = ''] = r.stdout.split('--\n');
  return { args: args.replace(/\n$/, '').split('\n'), reply: reply.trim() === '' ? [] : reply.trim().split('\n') };
}

test('bash: the words go to __complete, candidates lose their descriptions, the directive line is dropped', () => {
  const { args, reply } = bashComplete('status\tShow an app\nset-weight\tHold\n:4\n', ['s']);
  assert.deepEqual(args, ['__complete', 's']);
  assert.deepEqual(reply, ['status', 'set-weight']);
});

test('bash: an empty word is passed as one, and directive 4 means no file names', () => {
  const { args, reply } = bashComplete(':4\n', ['status', '']);
  assert.deepEqual(args, ['__complete', 'status', '']);
  assert.deepEqual(reply, []);
});

test('bash: directive 0 with no candidates falls back to file names', () => {
  const { reply } = bashComplete(':0\n', ['apply', '-f', 'package.js']);
  assert.deepEqual(reply, ['package.json']);
});

test('every script names its program and calls __complete; completion without a shell is bash', async () => {
  for (const shell of SHELLS) {
    const text = completionScript(shell, 'bluegreen');
    assert.match(text, /kubectl-bluegreen __complete/, shell);
    assert.match(text, /kubectl_complete-bluegreen/, `${shell}: says how kubectl itself completes`);
  }
  assert.equal(spawnSync('bash', ['-n'], { input: completionScript('bash', 'canary') }).status, 0, 'bash parses its script');
  for (const [args, want] of [[['completion'], 'bash'], [['completion', 'zsh'], 'zsh'], [['completion', 'fish'], 'fish']] as const) {
    const io = capturedIo();
    assert.equal(await runPlugin(PLUGINS.canary, [...args], io), 0);
    assert.equal(io.out(), completionScript(want, 'canary'));
  }
});
