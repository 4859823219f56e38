// Helpers of the traffic tests (traffic-*.test.ts): the local data plane's
// host ends, the chart deployed behind the shared Gateway, and Traefik's view
// of a route's weights. The data plane is described in docs/local-cluster.md.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runLoad } from '../../hack/load/load.ts';
import { repoRoot } from './harness.ts';

/** Host ends (127.0.0.1) of the data plane's forwards. */
export interface DataPlane {
  gatewayUrl: string;
  traefikUrl: string;
  prometheusUrl: string;
}

/** Reads .cluster/cluster.env; throws one clear line if the cluster runs without its data plane. */
export function dataPlane(): DataPlane {
  const env = readFileSync(join(repoRoot, '.cluster', 'cluster.env'), 'utf8');
  const get = (key: string): string | undefined => new RegExp(`^${key}=(.*)$`, 'm').exec(env)?.[1];
  if (get('DATA_PLANE') !== 'on') {
    throw new Error('the local cluster runs without its data plane (no network namespace: up.sh needs root); this test measures real traffic and needs it');
  }
  return {
    gatewayUrl: `http://127.0.0.1:${get('GATEWAY_PORT')}/`,
    traefikUrl: `http://127.0.0.1:${get('TRAEFIK_PORT')}`,
    prometheusUrl: `http://127.0.0.1:${get('PROMETHEUS_PORT')}`,
  };
}

/** The host name a test's HTTPRoute matches: one per namespace, so routes of parallel tests never collide. */
export function hostFor(ns: string): string {
  return `${ns}.switchyard.test`;
}

/** helm `--set` arguments that attach the chart's HTTPRoute to the shared Gateway switchyard-system/gateway. */
export function gatewayValues(ns: string): string[] {
  return [
    '--set', 'httpRoute.parentRefs[0].name=gateway',
    '--set', 'httpRoute.parentRefs[0].namespace=switchyard-system',
    '--set', `httpRoute.hostname=${hostFor(ns)}`,
  ];
}

interface TraefikService {
  name: string;
  weighted?: { services?: { name: string; weight?: number }[] };
}

/**
 * The weights Traefik serves for the main (header-less) rule of HTTPRoute `app` in `ns`:
 * Traefik's weighted service of that route that includes the app's stable Service, by
 * backend Service name (`web`, `web-2-0-0`). Undefined while Traefik has no such service.
 */
export async function servedWeights(plane: DataPlane, ns: string, app = 'web', port = 'http-80'): Promise<Record<string, number> | undefined> {
  const response = await fetch(`${plane.traefikUrl}/api/http/services?per_page=1000`);
  if (!response.ok) throw new Error(`traefik /api/http/services: HTTP ${response.status}`);
  const services = await response.json() as TraefikService[];
  const backend = (name: string): string => name.replace(/@.*$/, '').slice(ns.length + 1).replace(new RegExp(`-${port}$`), '');
  const main = services.find((s) => s.name.startsWith(`httproute-${ns}-${app}-`) &&
    (s.weighted?.services ?? []).some((b) => backend(b.name) === app));
  if (!main) return undefined;
  return Object.fromEntries(main.weighted!.services!.map((b) => [backend(b.name), b.weight ?? 1]));
}

/** What {@link measureFlip} measured, in milliseconds from the command's start. */
export interface Flip {
  /** The command ran this long. */
  commandMs: number;
  /** The last answer from another version came this long after the command started (0: none after it started). */
  convergedMs: number;
  /** Answers that were not 200 meanwhile. */
  failed: number;
  /** Answers by version over the whole measurement. */
  byVersion: Record<string, number>;
}

/**
 * Runs `command` under steady load (400 requests per second, bounded) and measures when every
 * answer comes from `target`: polls until 1 s of answers after the command's exit holds only
 * `target` (at most `timeoutMs`), then reports when the last other answer came.
 */
export async function measureFlip(plane: DataPlane, ns: string, target: string, command: () => Promise<void>, timeoutMs = 20_000): Promise<Flip> {
  const samples: { at: number; version: string; status: number }[] = [];
  const stop = new AbortController();
  const background = runLoad({
    url: plane.gatewayUrl, host: hostFor(ns), count: 100_000, durationMs: timeoutMs + 30_000, concurrency: 4,
    ratePerSecond: 400, signal: stop.signal, onSample: (s) => samples.push(s),
  });
  try {
    await waitForSamples(() => samples.length >= 20, 10_000);
    const start = samples.at(-1)!.at;
    await command();
    const end = samples.at(-1)?.at ?? start;
    const lastOther = (): number => samples.findLast((s) => s.version !== target)?.at ?? 0;
    await waitForSamples(() => (samples.at(-1)?.at ?? 0) - Math.max(lastOther(), end) >= 1_000, timeoutMs);
    const after = samples.filter((s) => s.at >= start);
    const byVersion: Record<string, number> = {};
    for (const s of after) byVersion[s.version] = (byVersion[s.version] ?? 0) + 1;
    return {
      commandMs: end - start, convergedMs: Math.max(0, lastOther() - start),
      failed: after.filter((s) => s.status !== 200).length, byVersion,
    };
  } finally {
    stop.abort();
    await background;
  }
}

async function waitForSamples(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`measureFlip: condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
