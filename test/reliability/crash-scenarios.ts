// The writing commands, each with how to bring an app to where the command applies and
// what must hold after it (and a re-run) finished. Shared by the fast crash test in
// `npm test` and the heavy one (`npm run test:crash`), which kills at every write.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { openKube } from '../../pkg/kube/open.ts';
import { chartDir, freshNamespace, helm, kubeconfigPath, kubectl, repoRoot, run, spawnChild } from '../e2e/harness.ts';
import type { RunResult } from '../e2e/harness.ts';
import { brokenInvariants } from './invariants.ts';
import type { Expected } from './invariants.ts';
import { startFaultProxy } from './fault-proxy.ts';
import type { FaultProxy } from './fault-proxy.ts';

type Plugin = 'canary' | 'bluegreen';

/** One writing command. */
export interface Scenario {
  name: string;
  plugin: Plugin;
  /** Brings a fresh namespace to where the command applies (directly, not through the proxy). */
  setup(cli: Cli): Promise<void>;
  /** The command, without `-n`. */
  command: string[];
  expected: Expected;
  /** Exit codes a re-run may end with (a re-run of `delete` finds nothing: 1). Default: [0]. */
  rerunCodes?: number[];
}

/** Runs a plugin binary in one namespace, straight to the cluster or through a proxy. */
export interface Cli {
  ns: string;
  /** The plain manifest of `version` (a version is its pod template: the image tag differs). */
  fileFor(version: string): string;
  (plugin: Plugin, args: string[], via?: FaultProxy): Promise<RunResult>;
}

const bin = (plugin: Plugin): string => join(repoRoot, 'dist', `kubectl-${plugin}`);
const ok = async (p: Promise<RunResult>, what: string): Promise<void> => {
  const r = await p;
  assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stderr}`);
};

const NOW = ['--scale-down-delay', '0'];

/** `run` (without --wait, which would wait at the pause) until the rollout is paused at 10%. */
async function untilPaused(cli: Cli): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await ok(cli('canary', ['run', 'web', '--steps', '10,pause,100', ...NOW]), 'run towards the pause');
    const status = await cli('canary', ['status', 'web', '-o', 'json']);
    if ((JSON.parse(status.stdout) as { phase: string }).phase === 'Paused') return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.fail('the rollout never reached its pause');
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'run', plugin: 'canary',
    setup: async (cli) => {
      await ok(cli('canary', ['apply', '-f', cli.fileFor('1.0.0'), '--version', '1.0.0']), 'apply 1.0.0');
      await ok(cli('canary', ['apply', '-f', cli.fileFor('2.0.0'), '--version', '2.0.0']), 'apply 2.0.0');
    },
    command: ['run', 'web', '--wait', '--steps', '10,50,100', ...NOW], expected: { stable: '2.0.0' },
  },
  {
    name: 'promote', plugin: 'canary',
    setup: async (cli) => {
      await ok(cli('canary', ['apply', '-f', cli.fileFor('1.0.0'), '--version', '1.0.0']), 'apply 1.0.0');
      await ok(cli('canary', ['apply', '-f', cli.fileFor('2.0.0'), '--version', '2.0.0']), 'apply 2.0.0');
      await untilPaused(cli);
    },
    command: ['promote', 'web', ...NOW], expected: { stable: '2.0.0' },
  },
  {
    name: 'abort', plugin: 'canary',
    setup: async (cli) => {
      await ok(cli('canary', ['apply', '-f', cli.fileFor('1.0.0'), '--version', '1.0.0']), 'apply 1.0.0');
      await ok(cli('canary', ['apply', '-f', cli.fileFor('2.0.0'), '--version', '2.0.0']), 'apply 2.0.0');
      await untilPaused(cli);
    },
    command: ['abort', 'web'], expected: { stable: '1.0.0' }, rerunCodes: [0, 1],
  },
  {
    name: 'undo', plugin: 'canary',
    setup: async (cli) => {
      await ok(cli('canary', ['apply', '-f', cli.fileFor('1.0.0'), '--version', '1.0.0']), 'apply 1.0.0');
      await ok(cli('canary', ['apply', '-f', cli.fileFor('2.0.0'), '--version', '2.0.0']), 'apply 2.0.0');
      await ok(cli('canary', ['run', 'web', '--wait', '--steps', '100', ...NOW]), 'run');
    },
    // Named, so that running it again after the flip landed does not undo the undo.
    command: ['undo', 'web', '--to-version', '1.0.0', ...NOW], expected: { stable: '1.0.0' },
  },
  {
    name: 'apply', plugin: 'canary',
    setup: async (cli) => {
      await ok(cli('canary', ['apply', '-f', cli.fileFor('1.0.0'), '--version', '1.0.0']), 'apply 1.0.0');
      // apply returns without waiting for readiness; the stable must be ready before the
      // invariants (its Service and route reach ready pods) can hold, on a slow machine too.
      await ok(kubectl(['-n', cli.ns, 'wait', '--for=condition=Available', 'deployment/web-1-0-0', '--timeout=60s']), '1.0.0 Available');
    },
    command: ['apply', '-f', '{file:2.0.0}', '--version', '2.0.0'], expected: { stable: '1.0.0' },
  },
  {
    name: 'delete', plugin: 'canary',
    setup: async (cli) => {
      await ok(cli('canary', ['apply', '-f', cli.fileFor('1.0.0'), '--version', '1.0.0']), 'apply 1.0.0');
      await ok(cli('canary', ['apply', '-f', cli.fileFor('2.0.0'), '--version', '2.0.0']), 'apply 2.0.0');
      await ok(cli('canary', ['run', 'web', '--wait', '--steps', '100', ...NOW]), 'run');
    },
    command: ['delete', 'web'], expected: { stable: undefined }, rerunCodes: [0, 1],
  },
  {
    name: 'switch', plugin: 'bluegreen',
    setup: async (cli) => {
      await ok(cli('bluegreen', ['apply', '-f', cli.fileFor('1.0.0'), '--version', '1.0.0']), 'apply 1.0.0');
      await ok(cli('bluegreen', ['apply', '-f', cli.fileFor('2.0.0'), '--version', '2.0.0']), 'apply 2.0.0');
      await ok(cli('bluegreen', ['run', 'web', '--wait']), 'run to the preview');
    },
    command: ['switch', 'web', ...NOW], expected: { stable: '2.0.0' },
  },
  {
    name: 'rollback', plugin: 'bluegreen',
    setup: async (cli) => {
      await ok(cli('bluegreen', ['apply', '-f', cli.fileFor('1.0.0'), '--version', '1.0.0']), 'apply 1.0.0');
      await ok(cli('bluegreen', ['apply', '-f', cli.fileFor('2.0.0'), '--version', '2.0.0']), 'apply 2.0.0');
      await ok(cli('bluegreen', ['run', 'web', '--wait']), 'run to the preview');
      await ok(cli('bluegreen', ['switch', 'web', ...NOW]), 'switch');
    },
    command: ['rollback', 'web', '--to-version', '1.0.0', ...NOW], expected: { stable: '1.0.0' },
  },
];

const VERSIONS = ['1.0.0', '2.0.0'];
let manifests: Promise<Map<string, string>> | undefined;

/** The test chart rendered once per version by `helm template` (no post-renderer) into files in `dir`. */
function plainManifests(dir: string): Promise<Map<string, string>> {
  manifests ??= Promise.all(VERSIONS.map(async (version) => {
    const r = await helm(3, ['template', 'web', chartDir, '--set', 'hook.enabled=false', '--set', 'httpRoute.enabled=true', '--set', `image.tag=${version}`]);
    assert.equal(r.code, 0, r.stderr);
    const file = join(dir, `app-${version}.yaml`);
    writeFileSync(file, r.stdout);
    return [version, file] as const;
  })).then((entries) => new Map(entries));
  return manifests;
}

/** `{file:<version>}` in a command stands for that version's manifest. */
export function fileArg(arg: string, fileFor: (version: string) => string): string {
  const m = /^\{file:(.+)\}$/.exec(arg);
  return m === null ? arg : fileFor(m[1]!);
}

/** A fresh namespace and a {@link Cli} for it. */
export async function cliFor(t: TestContext, dir: string): Promise<Cli> {
  const ns = await freshNamespace(t);
  const files = await plainManifests(dir);
  const fileFor = (version: string): string => {
    const file = files.get(version);
    if (file === undefined) throw new Error(`no manifest for version ${version}`);
    return file;
  };
  const cli = ((plugin: Plugin, args: string[], via?: FaultProxy) => run(bin(plugin), [...args.map((a) => fileArg(a, fileFor)), '-n', ns],
    { env: { KUBECONFIG: via?.kubeconfig ?? kubeconfigPath }, timeoutMs: 120_000 })) as Cli;
  cli.ns = ns;
  cli.fileFor = fileFor;
  return cli;
}

/** A proxy with no faults for one test. */
export async function proxyFor(t: TestContext, dir: string): Promise<FaultProxy> {
  const proxy = await startFaultProxy(kubeconfigPath, dir);
  t.after(() => proxy.close());
  return proxy;
}

/** How many API writes `scenario`'s command makes when nothing goes wrong. */
export async function countWrites(t: TestContext, dir: string, scenario: Scenario): Promise<number> {
  const cli = await cliFor(t, dir);
  await scenario.setup(cli);
  const proxy = await proxyFor(t, dir);
  await ok(cli(scenario.plugin, scenario.command, proxy), `${scenario.name} without a kill`);
  const writes = proxy.writes;
  assert.deepEqual(await brokenInvariants(await kubeFor(t, cli.ns), cli.ns, 'web', scenario.expected), [], `${scenario.name} without a kill`);
  return writes;
}

/** What one kill point gave. */
export interface KillResult {
  /** Whether the command was still running at write `k` (else it finished first). */
  killed: boolean;
  /** The writes the killed command made, and how it ended (137 when killed). */
  writes: number;
  code: number;
  problems: string[];
}

/**
 * Runs `scenario`'s command through a proxy that SIGKILLs it once the API server has run
 * its write number `k` (before the command sees the answer), re-runs the command
 * straight to the cluster, and returns the broken invariants.
 */
export async function killAfterWrite(t: TestContext, dir: string, scenario: Scenario, k: number): Promise<KillResult> {
  const cli = await cliFor(t, dir);
  await scenario.setup(cli);
  const proxy = await proxyFor(t, dir);
  const args = [...scenario.command.map((a) => fileArg(a, cli.fileFor)), '-n', cli.ns];
  const child = spawnChild(bin(scenario.plugin), args, { env: { KUBECONFIG: proxy.kubeconfig } });
  t.after(() => child.kill('SIGKILL'));
  proxy.onWrite = (n) => {
    if (n === k) child.kill('SIGKILL');
  };
  const first = await child.exited;
  proxy.onWrite = undefined;
  if (first.code !== 128 + 9 && proxy.writes === 0) throw new Error(`the command made no write through the proxy (exit ${first.code}): it did not use it`);
  if (first.code !== 128 + 9) t.diagnostic(`not killed: exited ${first.code} after ${proxy.writes} writes: ${first.stderr.trim().split('\n').at(-1)}`);
  const again = await cli(scenario.plugin, scenario.command);
  const codes = scenario.rerunCodes ?? [0];
  const problems = await brokenInvariants(await kubeFor(t, cli.ns), cli.ns, 'web', scenario.expected);
  if (!codes.includes(again.code)) problems.push(`the re-run exited ${again.code}: ${again.stderr.trim().split('\n').at(-1)}`);
  if (problems.length > 0) t.diagnostic(await whatWasLive(cli, first.stderr, again));
  return { killed: first.code === 128 + 9, writes: proxy.writes, code: first.code, problems };
}

async function kubeFor(t: TestContext, ns: string): Promise<import('../../pkg/kube/index.ts').Kube> {
  const kube = await openKube({ kubeconfig: kubeconfigPath, namespace: ns });
  t.after(() => kube.close());
  return kube;
}

/** What a broken kill point left, for its report: both runs' output, the Deployments and the stored history. */
async function whatWasLive(cli: Cli, killedStderr: string, again: RunResult): Promise<string> {
  const deployments = await kubectl(['-n', cli.ns, 'get', 'deploy', '-o', 'custom-columns=NAME:.metadata.name,SPEC:.spec.replicas,READY:.status.readyReplicas,GEN:.metadata.generation,OBS:.status.observedGeneration', '--no-headers']);
  const history = await cli('canary', ['history', 'web']);
  return [
    `killed run stderr: ${killedStderr.trim().split('\n').slice(-3).join(' | ')}`,
    `re-run (exit ${again.code}): ${`${again.stdout}\n${again.stderr}`.trim().split('\n').join(' | ')}`,
    `deployments: ${deployments.stdout.trim().split('\n').join(' | ')}`,
    `history: ${history.stdout.trim().split('\n').slice(-8).join(' | ')}`,
  ].join('\n');
}
