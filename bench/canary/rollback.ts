import type { Cluster } from '../lib/cluster.ts';
import { Recorder } from '../lib/observe.ts';
import { progress, section, table } from '../lib/report.ts';
import { median, ms, verdict } from '../lib/stats.ts';
import { canary, deployCanary, must } from './common.ts';

/** The progress deadline given to the bad canary. */
const DEADLINE_S = 5;

interface StateLike {
  phase: string;
  stable: string;
  canary?: string;
  stepStartedAt?: string;
  history: { at: string; event: string; version?: string }[];
}
interface Obj {
  metadata: { name: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: { selector?: Record<string, string>; replicas?: number };
  data?: Record<string, string>;
}

async function badCanary(cluster: Cluster, ns: string, version: string, stable: string): Promise<string[]> {
  const name = await deployCanary(ns, version, true);
  const base = `/api/v1/namespaces/${ns}`;
  const [cm, route, svc, dep] = await Promise.all([
    Recorder.start<Obj>(cluster.api, `${base}/configmaps?fieldSelector=metadata.name%3Dswitchyard.web`),
    Recorder.start<Obj>(cluster.api, `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/httproutes?fieldSelector=metadata.name%3Dweb`),
    Recorder.start<Obj>(cluster.api, `${base}/services?fieldSelector=metadata.name%3Dweb`),
    Recorder.start<Obj>(cluster.api, `/apis/apps/v1/namespaces/${ns}/deployments?fieldSelector=metadata.name%3D${name}`),
  ]);
  try {
    const run = await canary(ns, ['run', 'web', '--wait', '--progress-deadline', `${DEADLINE_S}s`, '--steps', '25,50,75,100', '--timeout', '60s'], 90_000);
    await new Promise((r) => setTimeout(r, 300));
    const epoch = (perf: number): number => performance.timeOrigin + perf;
    const states = cm.events.map((e) => ({ e, s: JSON.parse(e.object.data?.state ?? '{}') as StateLike }));
    const started = states.map(({ s }) => s).find((s) => s.canary === version && s.stepStartedAt !== undefined)?.stepStartedAt;
    if (started === undefined) throw new Error(`(d) ${version}: no step start recorded; run exited ${run.code}: ${run.stderr.slice(-800)}`);
    const fired = Date.parse(started) + DEADLINE_S * 1000;
    const degraded = states.find(({ s }) => s.phase === 'Degraded' && s.canary === version);
    const aborted = degraded?.s.history.find((h) => h.event === 'Aborted' && h.version === version)?.at;
    const weights = (o: Obj): Record<string, number> => JSON.parse(o.metadata.annotations?.['switchyard.dev/weights'] ?? '{}') as Record<string, number>;
    const onStable = (o: Obj): boolean => weights(o)[stable] === 100 && (weights(o)[version] ?? 0) === 0;
    const routeLeft = route.events.some((e) => !onStable(e.object));
    const routeBack = route.events.find((e) => e.epoch >= fired && onStable(e.object));
    const svcLeft = svc.events.some((e) => e.object.spec?.selector?.['switchyard.dev/version'] !== stable);
    const scaledUp = dep.events.findIndex((e) => (e.object.spec?.replicas ?? 0) > 0);
    const scaledDown = scaledUp < 0 ? undefined : dep.events.slice(scaledUp).find((e) => e.object.spec?.replicas === 0);
    const after = (t: number | undefined): string => (t === undefined ? '-' : `${Math.round(t - fired)} ms`);
    const back = Math.max(degraded?.e.epoch ?? Infinity, scaledDown?.epoch ?? Infinity, routeLeft ? (routeBack?.epoch ?? Infinity) : -Infinity);
    return [version, String(run.code), after(aborted === undefined ? undefined : Date.parse(aborted)), after(degraded?.e.epoch),
      routeLeft ? after(routeBack?.epoch) : 'never left stable', svcLeft ? 'LEFT stable' : 'never left stable',
      after(scaledDown?.epoch), after(epoch(run.endedAt)), Number.isFinite(back) ? `${Math.round(back - fired)}` : '-'];
  } finally {
    for (const r of [cm, route, svc, dep]) r.stop();
  }
}

/** (d) `rounds` never-ready versions from `firstVersion` on; returns the next version's major. */
export async function rollbackLatency(cluster: Cluster, ns: string, firstVersion: number, stable: string, rounds: number): Promise<number> {
  const rows: string[][] = [];
  for (let r = 0; r < rounds; r++) {
    const version = `${firstVersion + r}.0.0`;
    progress(`(d) round ${r + 1}/${rounds}: ${version} (never ready)`);
    rows.push(await badCanary(cluster, ns, version, stable));
  }
  const backs = rows.map((row) => Number(row[8]));
  const med = median(backs);
  section(`(d) bad canary: never-ready version, --progress-deadline ${DEADLINE_S}s, ${rounds} rounds; times after the deadline fired`,
    table(['version', 'exit', 'Aborted recorded', 'state Degraded seen', 'route on stable', 'Service on stable', 'canary scaled to 0 seen', 'process exit', 'rolled back (ms)'], rows.map((r) => r)),
    [
      `the deadline fires at the step's stepStartedAt (stored in the state) + ${DEADLINE_S} s; "seen" times are watch events received by`,
      'this process (same clock). With a version that is never ready the first step never shifts traffic, so the route and the',
      'Service stay on stable throughout; "rolled back" is the last of: state Degraded, canary scaled to 0 (and route back, had it moved).',
      `target: < 2 s after the deadline: median ${Number.isFinite(med) ? `${Math.round(med)} ms` : '-'} → ${verdict(med < 2000)}`,
    ]);
  return firstVersion + rounds;
}

/** (d′) A canary that carries traffic (held at 50 % with set-weight) and is aborted: spawn → route and Service on stable. */
export async function abortLatency(cluster: Cluster, ns: string, firstVersion: number, stable: string, rounds: number): Promise<void> {
  const rows: string[][] = [];
  const backs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const version = `${firstVersion + r}.0.0`;
    progress(`(d′) round ${r + 1}/${rounds}: ${version} held at 50 %, then aborted`);
    await deployCanary(ns, version);
    must(await canary(ns, ['set-weight', 'web', '50']), 'set-weight 50');
    const route = await Recorder.start<Obj>(cluster.api, `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/httproutes?fieldSelector=metadata.name%3Dweb`);
    try {
      const weights = (o: Obj): Record<string, number> => JSON.parse(o.metadata.annotations?.['switchyard.dev/weights'] ?? '{}') as Record<string, number>;
      const held = route.events.at(-1);
      if (held === undefined || weights(held.object)[version] !== 50) throw new Error(`(d′) ${version}: route not at 50 % after set-weight: ${JSON.stringify(held?.object.metadata.annotations)}`);
      const run = canary(ns, ['abort', 'web']);
      const back = route.waitFor((e) => weights(e.object)[stable] === 100 && (weights(e.object)[version] ?? 0) === 0, 30_000, performance.now() - 1).then((e) => e.at, () => Number.NaN);
      const aborted = must(await run, 'abort', [0, 1]);
      const latency = (await back) - aborted.startedAt;
      backs.push(latency);
      rows.push([version, String(aborted.code), ms(latency), ms(aborted.ms)]);
    } finally {
      route.stop();
    }
  }
  const med = median(backs);
  section(`(d′) abort of a canary carrying 50 % of the traffic (held with set-weight 50), ${rounds} rounds`,
    table(['version', 'exit', 'spawn → route back on stable', 'process exit'], rows),
    ['"route back on stable": the watch sees the HTTPRoute\'s switchyard.dev/weights annotation give stable 100 and the canary 0.',
      `same yardstick as (d): < 2 s: median ${ms(med)} → ${verdict(med < 2000)}`]);
}
