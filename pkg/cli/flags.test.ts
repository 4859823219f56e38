import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from './exit-codes.ts';
import { flagHelp, parseFlags } from './flags.ts';
import type { FlagSpecs } from './flags.ts';

const SPECS: FlagSpecs = {
  version: { type: 'string', multiple: true, describe: 'versions (repeatable)' },
  strategy: { type: 'string', choices: ['canary', 'bluegreen'], default: 'canary', describe: 'strategy' },
  offline: { type: 'boolean', default: false, describe: 'offline' },
  namespace: { type: 'string', alias: 'n', describe: 'namespace' },
  'kube-context': { type: 'string', alias: 'context', describe: 'context' },
};

test('flags: every spelling Helm users pass through --post-renderer-args', () => {
  const cases: [string[], Record<string, unknown>][] = [
    [[], { strategy: 'canary', offline: false }],
    [['--version', '2.0.0'], { version: ['2.0.0'] }],
    [['--version=2.0.0', '--version', 'api=3.0.0'], { version: ['2.0.0', 'api=3.0.0'] }],
    [['--version='], { version: [''] }],
    [['--strategy=bluegreen', '--strategy', 'canary'], { strategy: 'canary' }],
    [['--offline'], { offline: true }],
    [['--offline=false'], { offline: false }],
    [['--offline', 'false', '-n', 'a'], { offline: false, namespace: 'a' }],
    [['--offline', 'true'], { offline: true }],
    [['--offline', '--no-offline'], { offline: false }],
    [['-n', 'prod'], { namespace: 'prod' }],
    [['-n=prod'], { namespace: 'prod' }],
    [['--context', 'kind', '--namespace', 'a'], { 'kube-context': 'kind', namespace: 'a' }],
    [['--kube-context=x=y'], { 'kube-context': 'x=y' }],
    [['-h'], { help: true }],
    [['--offline', '--'], { offline: true }],
  ];
  for (const [argv, want] of cases) {
    const got = parseFlags(argv, SPECS);
    for (const [key, value] of Object.entries(want)) assert.deepEqual(got[key], value, `${argv.join(' ')}: ${key}`);
  }
});

test('flags: bad input is a one-line usage error', () => {
  const cases: [string[], RegExp][] = [
    [['--servr', 'x'], /^Unknown argument: servr$/],
    [['-x'], /^Unknown argument: x$/],
    [['--n', 'prod'], /^Unknown argument: n$/],
    [['-context', 'a'], /^Unknown argument: context$/],
    [['extra'], /^Unknown argument: extra$/],
    [['--', 'extra'], /^Unknown argument: extra$/],
    [['--no-namespace'], /^Unknown argument: no-namespace$/],
    [['--version'], /^Not enough arguments following: version$/],
    [['--version', '--offline'], /^Not enough arguments following: version$/],
    [['--strategy', 'linear'], /^Invalid value for --strategy: "linear" \(choose one of canary, bluegreen\)$/],
    [['--offline=yes'], /^--offline takes no value other than true or false/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(() => parseFlags(argv, SPECS), (err: unknown) => err instanceof UsageError && message.test(err.message) && !err.message.includes('\n'), argv.join(' '));
  }
});

test('flags: the help names every flag, its alias, choices and default', () => {
  const help = flagHelp('usage line', SPECS);
  assert.match(help, /^usage line\n\nFlags:\n/);
  assert.match(help, /--namespace, -n <value> +namespace\n/);
  assert.match(help, /--kube-context, --context <value> +context\n/);
  assert.match(help, /--strategy <value> +strategy \[one of canary, bluegreen; default canary\]\n/);
  assert.match(help, /--offline +offline\n/);
  assert.match(help, /--help, -h +Show this help\n$/);
});
