// A bounded HTTP load generator for the local data plane: it sends at most
// `count` requests and runs for at most `durationMs`, whichever ends first,
// and counts the answers by the version that served them (the pod runner's
// x-switchyard-version header), by status code and by second. Tests, benches
// and the demo import runLoad; on the command line:
//
//   node hack/load/load.ts [--url http://127.0.0.1:<gateway port>/] --host web.example.com
//        [--count 1000] [--duration 30s] [--concurrency 8] [--rate 0] [-H 'x-version: 2.0.0'] [-o json]
//
// SIGTERM or SIGINT stops it early and still prints the report.
// Without --url it targets the local cluster's Gateway (GATEWAY_PORT in
// .cluster/cluster.env). The URL must be a loopback address: the data plane
// is reached only through the host ends of its forwards.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** Largest request count and duration runLoad accepts. */
export const MAX_COUNT = 200_000;
export const MAX_DURATION_MS = 10 * 60_000;

/** The header naming the version that answered. */
const VERSION_HEADER = 'x-switchyard-version';

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** Target, e.g. `http://127.0.0.1:41234/`; only loopback hosts are accepted. */
  url: string;
  /** Host header (selects the HTTPRoute). Default: the URL's host. */
  host?: string;
  /** More request headers, e.g. `{ 'x-version': '2.0.0' }`. */
  headers?: Record<string, string>;
  /** Stop after this many requests (1 … {@link MAX_COUNT}). */
  count: number;
  /** Stop after this many milliseconds (1 … {@link MAX_DURATION_MS}); requests in flight finish. */
  durationMs: number;
  /** Requests in flight at once. Default: 8. */
  concurrency?: number;
  /** Requests per second across all workers; 0 sends as fast as answers come. Default: 0. */
  ratePerSecond?: number;
  /** Per-request timeout. Default: 5000 ms. */
  timeoutMs?: number;
  /** Called for every answer (and every failed request, with status 0), in completion order. */
  onSample?: (sample: Sample) => void;
  /** Ends the run early when aborted. */
  signal?: AbortSignal;
}

/** One request's outcome. */
export interface Sample {
  /** Milliseconds from the run's start to the answer. */
  at: number;
  /** The version that answered, or `none` (no pod answered: a 404 or 503 from the proxy, or a network error). */
  version: string;
  /** HTTP status; 0 for a network error or timeout. */
  status: number;
  /** Round-trip milliseconds. */
  ms: number;
}

/** What a run measured. */
export interface LoadReport {
  sent: number;
  elapsedMs: number;
  byVersion: Record<string, number>;
  byStatus: Record<string, number>;
  /** Per second of the run: answers by version. */
  perSecond: { second: number; byVersion: Record<string, number> }[];
  /** Round-trip percentiles in milliseconds. */
  latencyMs: { p50: number; p99: number; max: number };
}

function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Throws unless `url` is http:// to a loopback address (the NETWORK RULE of this repository). */
export function checkLoopback(url: string): URL {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.')) || host === '::1';
  if (parsed.protocol !== 'http:' || !loopback) throw new Error(`load: ${url} is not http:// on a loopback address`);
  return parsed;
}

function one(agent: Agent, target: URL, options: LoadOptions, started: number): Promise<Sample> {
  const t = performance.now();
  return new Promise((done) => {
    const finish = (status: number, version: string): void => {
      const now = performance.now();
      done({ at: now - started, version, status, ms: now - t });
    };
    const req = request(target, {
      agent, method: 'GET', timeout: options.timeoutMs ?? 5_000,
      headers: { host: options.host ?? target.host, ...options.headers },
    }, (res) => {
      const version = res.headers[VERSION_HEADER];
      res.resume();
      res.on('end', () => finish(res.statusCode ?? 0, typeof version === 'string' ? version : 'none'));
      res.on('error', () => finish(0, 'none'));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => finish(0, 'none'));
    req.end();
  });
}

/** Sends bounded load and reports what answered; never throws for a failed request (status 0). */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const target = checkLoopback(options.url);
  if (!(Number.isInteger(options.count) && options.count >= 1 && options.count <= MAX_COUNT)) {
    throw new Error(`load: count must be an integer from 1 to ${MAX_COUNT}, got ${options.count}`);
  }
  if (!(options.durationMs >= 1 && options.durationMs <= MAX_DURATION_MS)) {
    throw new Error(`load: duration must be from 1 ms to ${MAX_DURATION_MS} ms, got ${options.durationMs}`);
  }
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 8, 256));
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const report: LoadReport = { sent: 0, elapsedMs: 0, byVersion: {}, byStatus: {}, perSecond: [], latencyMs: { p50: 0, p99: 0, max: 0 } };
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + options.durationMs;
  const interval = options.ratePerSecond ? 1000 / options.ratePerSecond : 0;
  let issued = 0;
  const worker = async (): Promise<void> => {
    while (issued < options.count && performance.now() < deadline && !options.signal?.aborted) {
      const slot = issued++;
      if (interval > 0) {
        const wait = started + slot * interval - performance.now();
        if (wait > 0) await new Promise((done) => setTimeout(done, wait));
        if (performance.now() >= deadline || options.signal?.aborted) break;
      }
      const sample = await one(agent, target, options, started);
      report.sent += 1;
      bump(report.byVersion, sample.version);
      bump(report.byStatus, String(sample.status));
      const second = Math.floor(sample.at / 1000);
      while (report.perSecond.length <= second) report.perSecond.push({ second: report.perSecond.length, byVersion: {} });
      bump(report.perSecond[second]!.byVersion, sample.version);
      latencies.push(sample.ms);
      options.onSample?.(sample);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  report.elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  report.latencyMs = { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0 };
  return report;
}

/** The share of answers (0 … 1) that came from `version`. */
export function share(report: LoadReport, version: string): number {
  return report.sent === 0 ? 0 : (report.byVersion[version] ?? 0) / report.sent;
}

/** `http://127.0.0.1:<GATEWAY_PORT>/` of the local cluster, from .cluster/cluster.env; throws if it has no data plane. */
export function clusterGatewayUrl(repoRoot: string): string {
  const env = readFileSync(resolve(repoRoot, '.cluster', 'cluster.env'), 'utf8');
  const port = /^GATEWAY_PORT=(\d+)$/m.exec(env)?.[1];
  if (!port) throw new Error('load: the local cluster runs without its data plane (no GATEWAY_PORT in .cluster/cluster.env)');
  return `http://127.0.0.1:${port}/`;
}

/** `30s`, `500ms`, `2m` or plain seconds, in milliseconds. */
function duration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!m) throw new Error(`load: bad duration ${JSON.stringify(text)} (use 500ms, 30s or 2m)`);
  return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 }[m[2] ?? 's'] ?? 1000);
}

function table(report: LoadReport): string {
  const versions = Object.keys(report.byVersion).sort();
  const rows = [['second', ...versions, 'total'].join('\t')];
  for (const s of report.perSecond) {
    const counts = versions.map((v) => s.byVersion[v] ?? 0);
    rows.push([String(s.second), ...counts.map(String), String(counts.reduce((a, b) => a + b, 0))].join('\t'));
  }
  const shares = versions.map((v) => `${v} ${(100 * share(report, v)).toFixed(1)}%`).join(', ');
  const statuses = Object.entries(report.byStatus).map(([c, n]) => `${c === '0' ? 'failed' : c}: ${n}`).join(', ');
  rows.push(`${report.sent} requests in ${(report.elapsedMs / 1000).toFixed(1)} s: ${shares}; ${statuses}; ` +
    `p50 ${report.latencyMs.p50.toFixed(1)} ms, p99 ${report.latencyMs.p99.toFixed(1)} ms`);
  return `${rows.join('\n')}\n`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' }, host: { type: 'string' }, count: { type: 'string', default: '1000' },
      duration: { type: 'string', default: '30s' }, concurrency: { type: 'string', default: '8' },
      rate: { type: 'string', default: '0' }, header: { type: 'string', short: 'H', multiple: true, default: [] },
      output: { type: 'string', short: 'o', default: 'table' },
    },
  });
  if (values.output !== 'table' && values.output !== 'json') throw new Error(`load: -o must be table or json, got ${values.output}`);
  const headers: Record<string, string> = {};
  for (const h of values.header) {
    const colon = h.indexOf(':');
    if (colon <= 0) throw new Error(`load: bad header ${JSON.stringify(h)} (use 'name: value')`);
    headers[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim();
  }
  // SIGTERM or SIGINT ends the run early; the report of what was sent is still printed.
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  process.once('SIGINT', () => stop.abort());
  const report = await runLoad({
    signal: stop.signal,
    url: values.url ?? clusterGatewayUrl(resolve(import.meta.dirname, '..', '..')),
    ...(values.host ? { host: values.host } : {}),
    headers, count: Number(values.count), durationMs: duration(values.duration),
    concurrency: Number(values.concurrency), ratePerSecond: Number(values.rate),
  });
  process.stdout.write(values.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : table(report));
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  });
}
