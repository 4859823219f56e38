// npm run bench:canary [-- --runs 9 --rounds 3 --apps 1000]
//
// kubectl canary against the local cluster: (a) start-up, (b) `list -A` over many apps with
// the API requests counted by a proxy, (c) the orchestration overhead of a 4-step canary
// beyond what the cluster needs to make pods ready, (d) how fast a bad canary is rolled back
// and (d′) how fast an abort takes traffic off a canary. The parts live in bench/canary/.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { canary, must, rolledOutVersion } from './canary/common.ts';
import type { Counts } from './canary/common.ts';
import { listScaling } from './canary/list.ts';
import { orchestration } from './canary/overhead.ts';
import { abortLatency, rollbackLatency } from './canary/rollback.ts';
import { startup } from './canary/startup.ts';
import { Cluster, deployWeb } from './lib/cluster.ts';
import { header, machineState, out } from './lib/report.ts';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '9' },
    rounds: { type: 'string', default: '3' },
    apps: { type: 'string', default: '1000' },
  },
});
const counts: Counts = {
  runs: Math.min(30, Math.max(1, Number(flags.runs))),
  rounds: Math.min(10, Math.max(1, Number(flags.rounds))),
  apps: Math.min(5000, Math.max(20, Number(flags.apps))),
};

async function main(): Promise<void> {
  header('bench:canary — kubectl canary against the local cluster', [
    'Wall times are whole processes (spawn to exit) of `kubectl canary …`, found by kubectl on PATH as users run it.',
    'Targets: (a) status within 2× of kubectl get deploy; (b) list -A over 1,000 apps < 1 s with a constant number of',
    'API requests; (c) orchestration overhead of a 4-step canary < 1 s; (d) bad canary back on stable < 2 s after its deadline.',
  ]);
  const cluster = await Cluster.connect();
  const work = mkdtempSync(join(tmpdir(), 'switchyard-bench-canary-'));
  try {
    const ns = await cluster.namespace('canary');
    await deployWeb(ns, '1.0.0', { replicas: 4 });
    await rolledOutVersion(ns, '1.0.0');
    must(await canary(ns, ['run', 'web', '--wait']), 'run 1.0.0');
    await startup(ns, counts.runs);
    const next = await orchestration(cluster, ns, work, counts.rounds);
    const stable = `${next - 1}.0.0`;
    const afterBad = await rollbackLatency(cluster, ns, next, stable, counts.rounds);
    await abortLatency(cluster, ns, afterBad, stable, counts.rounds);
    await listScaling(cluster, work, counts);
    out(`\nafter: ${machineState()}\n`);
  } finally {
    await cluster.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
}

await main().catch((err: unknown) => {
  out(`\nbench:canary failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
