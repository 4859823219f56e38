import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Argv } from 'yargs';
import { buildTree, complete, DIRECTIVE, formatCompletion } from './complete.ts';
import type { CommandSpec, CompletionTree } from './complete.ts';
import { globalFlags } from './context.ts';

/** A small plugin: two app commands, a list, completion with fixed shells, the real global flags. */
function tree(): CompletionTree {
  const specs: CommandSpec[] = [
    { usage: 'status <app>', describe: 'Show an app', builder: (y: Argv) => y.positional('app', { type: 'string' }).option('watch', { alias: 'w', type: 'boolean', describe: 'Follow it' }) },
    { usage: 'set-weight <app> <weight>', describe: 'Hold at a weight', builder: (y: Argv) => y.positional('app', { type: 'string' }).option('router', { choices: ['gateway', 'nginx'], describe: 'Provider' }) },
    { usage: 'run [app]', describe: 'Drive an app (or --release)', builder: (y: Argv) => y.positional('app', { type: 'string' }) },
    { usage: 'list', describe: 'List apps', builder: (y: Argv) => y.option('all-namespaces', { alias: 'A', type: 'boolean', describe: 'Everywhere' }) },
    { usage: 'apply', describe: 'Apply files', builder: (y: Argv) => y.option('filename', { alias: 'f', type: 'string', describe: 'Files' }) },
    { usage: 'completion [shell]', describe: 'A script', args: ['bash', 'zsh', 'fish'] },
  ];
  return buildTree(specs, globalFlags as (y: Argv) => Argv);
}

const names = (c: { candidates: string[] }): string[] => c.candidates.map((x) => x.split('\t')[0]!);

test('the tree holds each command\'s own flags, apart from the global ones', () => {
  const t = tree();
  assert.deepEqual(t.commands.map((c) => [c.name, c.takesApp]), [['status', true], ['set-weight', true], ['run', true], ['list', false], ['apply', false], ['completion', false]]);
  assert.deepEqual(t.commands[0]!.flags.map((f) => f.names), [['--watch', '-w']]);
  assert.deepEqual(t.commands[1]!.flags[0]!.choices, ['gateway', 'nginx']);
  const global = new Set(t.global.flatMap((f) => f.names));
  for (const name of ['--namespace', '-n', '--server', '-s', '--token', '--as-group', '--output', '--no-color']) assert.ok(global.has(name), name);
  for (const hidden of ['--vmodule', '--v', '--profile', '--help']) assert.ok(!global.has(hidden), `${hidden} is not offered`);
});

test('each position offers what can come there', () => {
  const cases: { words: string[]; want: string[]; directive?: number; cluster?: 'apps' | 'namespaces' }[] = [
    { words: [''], want: ['status', 'set-weight', 'run', 'list', 'apply', 'completion'] },
    { words: ['s'], want: ['status', 'set-weight'] },
    { words: ['-n', 'prod', 'st'], want: ['status'] },
    { words: ['--namespace=prod', 'li'], want: ['list'] },
    { words: ['status', ''], want: [], cluster: 'apps' },
    { words: ['status', 'we'], want: [], cluster: 'apps' },
    { words: ['run', 'we'], want: [], cluster: 'apps' },
    { words: ['status', 'web', ''], want: [] },
    { words: ['status', 'web', '--wa'], want: ['--watch'] },
    { words: ['list', '--all'], want: ['--all-namespaces'] },
    { words: ['status', 'web', '--as-'], want: ['--as-group', '--as-uid'] },
    { words: ['status', 'web', '-o', ''], want: ['json', 'yaml', 'name'] },
    { words: ['status', 'web', '-o', 'y'], want: ['yaml'] },
    { words: ['status', 'web', '--output=j'], want: ['--output=json'] },
    { words: ['set-weight', 'web', '--router', ''], want: ['gateway', 'nginx'] },
    { words: ['list', '-n', ''], want: [], cluster: 'namespaces' },
    { words: ['list', '--kubeconfig', ''], want: [], directive: DIRECTIVE.default },
    { words: ['apply', '-f', ''], want: [], directive: DIRECTIVE.default },
    { words: ['completion', ''], want: ['bash', 'zsh', 'fish'] },
    { words: ['completion', 'z'], want: ['zsh'] },
    { words: ['nope', ''], want: [] },
  ];
  for (const { words, want, directive = DIRECTIVE.noFileComp, cluster } of cases) {
    const got = complete(tree(), words);
    assert.deepEqual(names(got), want, words.join(' '));
    assert.equal(got.directive, directive, words.join(' '));
    assert.equal(got.cluster?.kind, cluster, words.join(' '));
  }
});

test('candidates carry their description after a tab; the last line is cobra\'s directive', () => {
  assert.deepEqual(complete(tree(), ['li']).candidates, ['list\tList apps']);
  assert.equal(formatCompletion(['a\tx', 'b'], 4), 'a\tx\nb\n:4\n');
  assert.equal(formatCompletion([], 0), ':0\n');
});

test('the prefix of an app name is passed on for the cluster names', () => {
  assert.deepEqual(complete(tree(), ['status', '-n', 'prod', 'we']).cluster, { kind: 'apps', prefix: 'we' });
});
