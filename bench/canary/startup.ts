import { paths, runTimed } from '../lib/proc.ts';
import { progress, section, table } from '../lib/report.ts';
import { median, ms, summarize, verdict } from '../lib/stats.ts';
import { must } from './common.ts';

/** (a) Start-up: `--help`, `status` through kubectl and directly, against `kubectl get deploy`. */
export async function startup(ns: string, runs: number): Promise<void> {
  const cases: [string, string, string[]][] = [
    ['node -e "" (Node start-up, for scale)', process.execPath, ['-e', '']],
    ['kubectl canary --help', paths.kubectl, ['canary', '--help']],
    ['kubectl canary status web', paths.kubectl, ['canary', 'status', 'web', '-n', ns]],
    ['dist/kubectl-canary status web (no kubectl)', paths.canary, ['status', 'web', '-n', ns]],
    ['kubectl get deploy', paths.kubectl, ['get', 'deploy', '-n', ns]],
  ];
  const times = cases.map(() => [] as number[]);
  const cpu = cases.map(() => [] as number[]);
  progress(`(a) start-up: ${runs} rounds`);
  for (let r = 0; r < runs + 1; r++) {
    for (const [i, [name, cmd, args]] of cases.entries()) {
      const t = must(await runTimed(cmd, args, { rusage: true }), name);
      if (r === 0) continue;
      times[i]!.push(t.ms);
      cpu[i]!.push(t.cpuMs ?? Number.NaN);
    }
  }
  const get = median(times[4]!);
  const status = median(times[2]!);
  section(`(a) start-up: ${runs} runs each after one warm-up, interleaved`,
    table(['command', 'wall median', 'min', 'p90', '× kubectl get', 'CPU (user+sys)'], cases.map(([name], i) => {
      const s = summarize(times[i]!);
      return [name, ms(s.median), ms(s.min), ms(s.p90), `${(s.median / get).toFixed(2)}×`, ms(median(cpu[i]!))];
    })),
    ['CPU is the process tree\'s (kubectl plus the plugin it starts), from /usr/bin/time; it moves less than wall time on a busy machine.',
      `target: status within 2× of kubectl get deploy: ${(status / get).toFixed(2)}× → ${verdict(status <= 2 * get)}`]);
}
