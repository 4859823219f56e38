// What one KWOK pod "runs": an HTTP server on the pod's IP at each declared
// containerPort. It answers every path with its version and pod name, fails a
// share of the requests and adds latency as the pod's labels say, and exposes
// Prometheus metrics at /metrics. Readiness is not its business: KWOK's stages
// decide it, and Traefik routes only to ready endpoints.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** Label naming the version (set by switchyard); without it the image tag is the version. */
export const VERSION_LABEL = 'switchyard.dev/version';
/** Label: share of requests answered 500, from "0" to "1". */
export const ERROR_RATE_LABEL = 'switchyard.test/error-rate';
/** Label: milliseconds added before each answer. */
export const LATENCY_LABEL = 'switchyard.test/latency-ms';

/** Response headers naming who answered; the load generator counts by them. */
export const VERSION_HEADER = 'x-switchyard-version';
export const POD_HEADER = 'x-switchyard-pod';

/** The parts of a Pod the server needs. */
export interface PodSpecView {
  namespace: string;
  name: string;
  ip: string;
  labels: Record<string, string>;
  images: string[];
  ports: number[];
}

/** The version a pod answers with: its version label, else its first image's tag, else "unknown". */
export function podVersion(pod: Pick<PodSpecView, 'labels' | 'images'>): string {
  const label = pod.labels[VERSION_LABEL];
  if (label) return label;
  const image = (pod.images[0] ?? '').split('@')[0]!;
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? image.slice(colon + 1) : 'unknown';
}

/** Error rate and latency from the labels; a malformed or out-of-range value counts as none. */
export function faults(labels: Record<string, string>): { errorRate: number; latencyMs: number } {
  const rate = Number(labels[ERROR_RATE_LABEL] ?? '0');
  const latency = Number(labels[LATENCY_LABEL] ?? '0');
  return {
    errorRate: Number.isFinite(rate) && rate > 0 ? Math.min(rate, 1) : 0,
    latencyMs: Number.isFinite(latency) && latency > 0 ? Math.min(latency, 60_000) : 0,
  };
}

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Request counters and a latency histogram in the Prometheus text format. */
class Metrics {
  private readonly byCode = new Map<number, number>();
  private readonly bucketCounts = BUCKETS.map(() => 0);
  private count = 0;
  private sum = 0;

  observe(code: number, seconds: number): void {
    this.byCode.set(code, (this.byCode.get(code) ?? 0) + 1);
    BUCKETS.forEach((le, i) => { if (seconds <= le) this.bucketCounts[i]! += 1; });
    this.count += 1;
    this.sum += seconds;
  }

  text(version: string): string {
    const v = `version="${version}"`;
    const lines = [
      '# HELP switchyard_pod_requests_total Requests this pod answered, by status code.',
      '# TYPE switchyard_pod_requests_total counter',
      ...[...this.byCode].map(([code, n]) => `switchyard_pod_requests_total{${v},code="${code}"} ${n}`),
      '# HELP switchyard_pod_request_duration_seconds Time to answer a request.',
      '# TYPE switchyard_pod_request_duration_seconds histogram',
      ...BUCKETS.map((le, i) => `switchyard_pod_request_duration_seconds_bucket{${v},le="${le}"} ${this.bucketCounts[i]}`),
      `switchyard_pod_request_duration_seconds_bucket{${v},le="+Inf"} ${this.count}`,
      `switchyard_pod_request_duration_seconds_sum{${v}} ${this.sum}`,
      `switchyard_pod_request_duration_seconds_count{${v}} ${this.count}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}

/** The servers of one pod; labels can change while it runs (error rate, latency). */
export class PodServer {
  private pod: PodSpecView;
  private readonly servers: Server[] = [];
  private readonly metrics = new Metrics();

  constructor(pod: PodSpecView) {
    this.pod = pod;
  }

  get key(): string {
    return `${this.pod.namespace}/${this.pod.name}`;
  }

  get ip(): string {
    return this.pod.ip;
  }

  get spec(): PodSpecView {
    return this.pod;
  }

  /** The ports actually bound (differs from the declared ones only for port 0, in tests). */
  boundPorts(): number[] {
    return this.servers.map((server) => {
      const address = server.address();
      return typeof address === 'object' && address ? address.port : 0;
    });
  }

  /** Same IP and ports: the running servers can keep serving `pod`. */
  sameSockets(pod: PodSpecView): boolean {
    return pod.ip === this.pod.ip && pod.ports.join(',') === this.pod.ports.join(',');
  }

  /** Takes new labels (faults, version) without restarting. */
  update(pod: PodSpecView): void {
    this.pod = pod;
  }

  /** Binds every port; retries a port still held by a pod that just went away, for up to 5 s. */
  async start(): Promise<void> {
    for (const port of this.pod.ports) {
      const server = createServer((req, res) => this.answer(req, res));
      server.keepAliveTimeout = 30_000;
      await listenWithRetry(server, port, this.pod.ip);
      this.servers.push(server);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.splice(0).map((server) => new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections();
    })));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const version = podVersion(this.pod);
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(this.metrics.text(version));
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    const started = performance.now();
    const { errorRate, latencyMs } = faults(this.pod.labels);
    const code = Math.random() < errorRate ? 500 : 200;
    const reply = (): void => {
      const body = `${JSON.stringify({ version, pod: this.pod.name, namespace: this.pod.namespace, code })}\n`;
      res.writeHead(code, { 'content-type': 'application/json', [VERSION_HEADER]: version, [POD_HEADER]: this.pod.name });
      res.end(body);
      this.metrics.observe(code, (performance.now() - started) / 1000);
    };
    req.resume();
    if (latencyMs > 0) setTimeout(reply, latencyMs);
    else reply();
  }
}

async function listenWithRetry(server: Server, port: number, host: string): Promise<void> {
  const deadline = performance.now() + 5_000;
  for (;;) {
    try {
      await new Promise<void>((done, fail) => {
        server.once('error', fail);
        server.listen(port, host, () => {
          server.off('error', fail);
          done();
        });
      });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || performance.now() > deadline) throw error;
      await new Promise((done) => setTimeout(done, 100));
    }
  }
}
