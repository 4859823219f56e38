import assert from 'node:assert/strict';
import { test } from 'node:test';
import yargs from 'yargs';
import type { KubeFlags } from '../kube/index.ts';
import { UsageError } from './exit-codes.ts';
import { capturedIo } from './io.test-util.ts';
import { hideSecrets, KUBECTL_FLAG_NAMES, kubectlFlags, kubeFlagsFrom } from './kubectl-flags.ts';
import type { KubectlArgs } from './kubectl-flags.ts';
import { runPlugin } from './program.ts';
import { PLUGINS } from './entry.ts';

/** The global flags of kubectl v1.34 (`.tools/bin/kubectl options`), long names. */
const KUBECTL_OPTIONS = ['as', 'as-group', 'as-uid', 'cache-dir', 'certificate-authority', 'client-certificate', 'client-key', 'cluster', 'context', 'disable-compression', 'insecure-skip-tls-verify', 'kubeconfig', 'kuberc', 'log-flush-frequency', 'match-server-version', 'namespace', 'password', 'profile', 'profile-output', 'request-timeout', 'server', 'tls-server-name', 'token', 'user', 'username', 'v', 'vmodule', 'warnings-as-errors'];

function parse(argv: string[]): KubeFlags {
  return kubeFlagsFrom(kubectlFlags(yargs(argv)).strict().parseSync() as KubectlArgs);
}


test('switchyard accepts every global flag kubectl has, no more and no fewer', () => {
  assert.deepEqual([...KUBECTL_FLAG_NAMES].sort(), [...KUBECTL_OPTIONS].sort());
});

test('a kubectl command line with every global flag runs a plugin command', async () => {
  const argv = ['version', '--as=bob', '--as-group', 'ci', '--as-group=ops', '--as-uid=7', '--cache-dir=/tmp/c', '--certificate-authority=/ca', '--client-certificate=/c', '--client-key=/k',
    '--cluster=c', '--context=x', '--disable-compression', '--insecure-skip-tls-verify=false', '--kubeconfig=/kc', '--kuberc=/rc', '--log-flush-frequency=5s', '--match-server-version',
    '-n', 'prod', '--profile=none', '--profile-output=p.pprof', '--request-timeout=5s', '-s', 'https://127.0.0.1:6443', '--tls-server-name=api', '--token=t', '--user=u',
    '-v=6', '--vmodule=x=2', '--warnings-as-errors'];
  for (const plugin of [PLUGINS.canary, PLUGINS.bluegreen]) {
    const streams = capturedIo();
    assert.equal(await runPlugin(plugin, argv, streams), 0, streams.err());
    assert.equal(streams.out(), `kubectl-${plugin.name} 0.1.0\n`);
  }
});

test('an unknown flag is still a usage error', async () => {
  const streams = capturedIo();
  assert.equal(await runPlugin(PLUGINS.canary, ['version', '--servr=x'], streams), 2);
  assert.match(streams.err(), /Unknown argument: servr/);
});

test('the connection flags become the kube layer\'s flags', () => {
  const cases: [string[], KubeFlags][] = [
    [['-s', 'https://127.0.0.1:6443', '--token', 'abc'], { server: 'https://127.0.0.1:6443', token: 'abc' }],
    [['--server=https://h:1', '--tls-server-name=api', '--certificate-authority=ca.crt'], { server: 'https://h:1', tlsServerName: 'api', certificateAuthority: 'ca.crt' }],
    [['--client-certificate', 'a.crt', '--client-key', 'a.key', '--insecure-skip-tls-verify'], { clientCertificate: 'a.crt', clientKey: 'a.key', insecureSkipTlsVerify: true }],
    [['--insecure-skip-tls-verify=false'], {}],
    [['--username', 'ann', '--password', 'pw'], { username: 'ann', password: 'pw' }],
    [['--as', 'bob', '--as-group', 'ci', '--as-group', 'ops', '--as-uid', '7'], { as: 'bob', asGroups: ['ci', 'ops'], asUid: '7' }],
    [['--as', 'bob', '--as-group', 'ci'], { as: 'bob', asGroups: ['ci'] }],
    [['--kubeconfig', 'k', '--context', 'c', '--cluster', 'cl', '--user', 'u', '-n', 'ns', '--request-timeout', '1m'], { kubeconfig: 'k', context: 'c', cluster: 'cl', user: 'u', namespace: 'ns', requestTimeoutMs: 60_000 }],
    [['-n', 'a', '-n', 'b'], { namespace: 'b' }],
    [['-v', '9', '--vmodule=x=1', '--profile', 'cpu', '--warnings-as-errors', '--cache-dir', 'd'], {}],
  ];
  for (const [argv, want] of cases) assert.deepEqual(parse(argv), want, argv.join(' '));
});

test('a combination kubectl refuses, or a bad --request-timeout, is a usage error before any connection', async () => {
  for (const argv of [['--token=t', '--username=u'], ['--insecure-skip-tls-verify', '--certificate-authority=ca'], ['--as-group=g'], ['--request-timeout=soon']]) {
    assert.throws(() => parse(argv), UsageError, argv.join(' '));
  }
  const streams = capturedIo();
  assert.equal(await runPlugin(PLUGINS.canary, ['status', 'web', '--token=t', '--password=p'], streams), 2);
  assert.match(streams.err(), /username\/password or bearer token may be set, but not both/);
});

test('tokens and passwords are hidden in a command line echoed back', () => {
  assert.deepEqual(hideSecrets(['run', 'web', '--token=abc', '--password', 'pw', '--as', 'bob', '--token']), ['run', 'web', '--token=<hidden>', '--password', '<hidden>', '--as', 'bob', '--token']);
});
