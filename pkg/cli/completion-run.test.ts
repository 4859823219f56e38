import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeFlags } from '../kube/index.ts';
import { PLUGINS } from './entry.ts';
import { capturedIo } from './io.test-util.ts';
import { COMPLETION_TIMEOUT_MS, flagsAmong, printCompletions } from './completion-run.ts';
import { runPlugin } from './program.ts';
import { buildTree } from './complete.ts';
import type { Argv } from 'yargs';
import { globalFlags } from './context.ts';


const tree = buildTree([{ usage: 'status <app>', describe: 'Show an app' }, { usage: 'list', describe: 'List apps' }], globalFlags as (y: Argv) => Argv);

test('app names come from the cluster with the connection flags typed so far, filtered by the prefix', async () => {
  const asked: [string, KubeFlags][] = [];
  const streams = capturedIo();
  const code = await printCompletions(tree, ['status', '-n', 'prod', '--context', 'east', 'w'], streams, async (kind, flags) => {
    asked.push([kind, flags]);
    return ['api', 'web', 'worker'];
  });
  assert.equal(code, 0);
  assert.equal(streams.out(), 'web\nworker\n:4\n');
  assert.equal(streams.err(), '');
  assert.deepEqual(asked, [['apps', { namespace: 'prod', context: 'east', requestTimeoutMs: COMPLETION_TIMEOUT_MS }]]);
});

test('namespaces are offered after -n', async () => {
  const streams = capturedIo();
  await printCompletions(tree, ['list', '-n', 'k'], streams, async (kind) => (kind === 'namespaces' ? ['default', 'kube-system', 'kube-public'] : []));
  assert.equal(streams.out(), 'kube-system\nkube-public\n:4\n');
});

test('a cluster that cannot answer gives no names, no error and exit 0', async () => {
  const streams = capturedIo();
  const code = await printCompletions(tree, ['status', ''], streams, async () => {
    throw new Error('connection refused');
  });
  assert.equal(code, 0);
  assert.equal(streams.out(), ':4\n');
  assert.equal(streams.err(), '');
});

test('without words it offers the commands; the cluster is not asked', async () => {
  const streams = capturedIo();
  await printCompletions(tree, [], streams, async () => assert.fail('the cluster is not needed'));
  assert.equal(streams.out(), 'status\tShow an app\nlist\tList apps\n:4\n');
});

test('the connection flags among the words are read as kubectl reads them; a bad one is left out', () => {
  assert.deepEqual(flagsAmong(['status', '-s', 'https://127.0.0.1:6443', '--token=t', '--request-timeout=5s']), { server: 'https://127.0.0.1:6443', token: 't', requestTimeoutMs: 5000 });
  assert.deepEqual(flagsAmong(['--request-timeout=soon']), { requestTimeoutMs: COMPLETION_TIMEOUT_MS });
});

test('both plugins answer __complete with their own commands, in cobra\'s format', async () => {
  for (const [plugin, own, other] of [[PLUGINS.canary, 'promote', 'switch'], [PLUGINS.bluegreen, 'switch', 'promote']] as const) {
    const streams = capturedIo();
    assert.equal(await runPlugin(plugin, ['__complete', ''], streams), 0);
    const lines = streams.out().trimEnd().split('\n');
    assert.equal(lines.at(-1), ':4');
    const commands = lines.slice(0, -1).map((l) => l.split('\t')[0]);
    for (const name of [own, 'status', 'list', 'version', 'completion']) assert.ok(commands.includes(name), `${plugin.name}: ${name}`);
    assert.ok(!commands.includes(other), `${plugin.name} has no ${other}`);
    assert.equal(streams.err(), '');
  }
});
