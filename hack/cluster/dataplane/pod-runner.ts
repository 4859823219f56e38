// The pod runner: the data plane's stand-in for a container runtime. It watches
// the pods bound to the fake node and, for each Running pod with an IP, runs a
// PodServer on that IP (pod-server.ts); it stops the servers when the pod is
// deleted or stops Running. It runs inside the cluster's network namespace,
// whose loopback accepts every pod IP (a `local` route for the pod CIDR).
//
//   node pod-runner.ts --server https://127.0.0.1:<port> --ca ca.crt --cert admin.crt --key admin.key
//                      --node kwok-node-0 --status 127.0.0.1:<port>
//
//                      --targets prometheus/pods.json [--drain-ms 2000]
//
// A pod that goes away keeps answering for --drain-ms (a container's graceful
// termination, which KWOK does not have), unless its IP goes to a new pod first.
//
// --status serves GET /pods (JSON: the pods served) and /healthz (200 once the
// first list has been reconciled), for up.sh and for debugging. --targets is
// rewritten on every change with the served ports as Prometheus file_sd targets.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { request, type RequestOptions } from 'node:https';
import { parseArgs } from 'node:util';
import { PodServer, podVersion, type PodSpecView } from './pod-server.ts';

/** The fields of a Pod the runner reads. */
interface Pod {
  metadata: { name: string; namespace: string; uid: string; resourceVersion: string; labels?: Record<string, string> };
  spec: { hostNetwork?: boolean; containers: { image?: string; ports?: { containerPort: number; protocol?: string }[] }[] };
  status?: { phase?: string; podIP?: string };
}

/** What the pod should be served as, or undefined if it should not be served. */
export function servable(pod: Pod): PodSpecView | undefined {
  const ip = pod.status?.podIP;
  if (!ip || pod.spec.hostNetwork || pod.status?.phase !== 'Running') return undefined;
  const ports = [...new Set(pod.spec.containers.flatMap((c) => (c.ports ?? [])
    .filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.containerPort)))].sort((a, b) => a - b);
  if (ports.length === 0) return undefined;
  return {
    namespace: pod.metadata.namespace, name: pod.metadata.name, ip,
    labels: pod.metadata.labels ?? {}, images: pod.spec.containers.map((c) => c.image ?? ''), ports,
  };
}

/** One Prometheus file_sd target group per served pod. */
export function scrapeTargets(pods: readonly PodSpecView[]): { targets: string[]; labels: Record<string, string> }[] {
  return pods.map((pod) => ({
    targets: pod.ports.map((port) => `${pod.ip}:${port}`),
    labels: { namespace: pod.namespace, pod: pod.name, app: pod.labels['switchyard.dev/app'] ?? pod.labels['app.kubernetes.io/name'] ?? '' },
  }));
}

class Runner {
  private readonly running = new Map<string, PodServer>();
  /** Servers of pods that went away, still answering until their drain ends, by IP. */
  private readonly draining = new Map<string, { server: PodServer; timer: NodeJS.Timeout }>();
  /** One reconcile at a time, in event order. */
  private queue: Promise<void> = Promise.resolve();
  private readonly targetsFile: string;
  private readonly drainMs: number;

  constructor(targetsFile: string, drainMs: number) {
    this.targetsFile = targetsFile;
    this.drainMs = drainMs;
  }

  enqueue(uid: string, pod: PodSpecView | undefined): void {
    this.queue = this.queue.then(() => this.reconcile(uid, pod)).catch((error: unknown) => {
      log(`pod ${pod ? `${pod.namespace}/${pod.name}` : uid}: ${(error as Error).message}`);
    });
  }

  /** Stops servers of pods not in `uids` (after a relist). */
  keepOnly(uids: Set<string>): void {
    for (const uid of this.running.keys()) if (!uids.has(uid)) this.enqueue(uid, undefined);
  }

  settled(): Promise<void> {
    return this.queue;
  }

  list(): { pod: string; ip: string }[] {
    return [...this.running.values()].map((s) => ({ pod: s.key, ip: s.ip }));
  }

  private writeTargets(): void {
    const tmp = `${this.targetsFile}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(scrapeTargets([...this.running.values()].map((s) => s.spec)), null, 1)}\n`);
    renameSync(tmp, this.targetsFile);
  }

  private async reconcile(uid: string, want: PodSpecView | undefined): Promise<void> {
    const have = this.running.get(uid);
    if (have && want && have.sameSockets(want)) {
      have.update(want);
      return;
    }
    try {
      await this.replace(uid, have, want);
    } finally {
      this.writeTargets();
    }
  }

  /**
   * A pod that went away keeps answering for the drain time, as a container does between
   * SIGTERM and its exit (KWOK deletes pods at once): the proxy may still send to it until
   * it sees the endpoint go. A new pod given the same IP ends the drain at once.
   */
  private drain(server: PodServer): void {
    if (this.drainMs <= 0) {
      void this.stop(server);
      return;
    }
    const timer = setTimeout(() => {
      this.draining.delete(server.ip);
      void this.stop(server);
    }, this.drainMs);
    this.draining.set(server.ip, { server, timer });
  }

  private async stop(server: PodServer): Promise<void> {
    await server.stop();
    log(`stopped ${server.key} on ${server.ip}`);
  }

  private async replace(uid: string, have: PodServer | undefined, want: PodSpecView | undefined): Promise<void> {
    if (have) {
      this.running.delete(uid);
      if (want) await this.stop(have);
      else this.drain(have);
    }
    if (want) {
      const old = this.draining.get(want.ip);
      if (old) {
        clearTimeout(old.timer);
        this.draining.delete(want.ip);
        await this.stop(old.server);
      }
      const server = new PodServer(want);
      await server.start();
      this.running.set(uid, server);
      log(`serving ${want.namespace}/${want.name} version ${podVersion(want)} on ${want.ip}:${want.ports.join(',')}`);
    }
  }
}

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

interface Api {
  base: URL;
  tls: Pick<RequestOptions, 'ca' | 'cert' | 'key'>;
}

/** GET `path`, calling `onLine` for each newline-terminated line of the body; resolves when the body ends. */
function stream(api: Api, path: string, onLine: (line: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, api.base), { ...api.tls, method: 'GET', headers: { accept: 'application/json' } }, (res) => {
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line.trim()) onLine(line);
        }
      });
      res.on('end', () => {
        if (buffered.trim()) onLine(buffered);
        resolve(res.statusCode ?? 0);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** List, then watch from the list's resourceVersion; on any end or error, relist. Never returns. */
async function watchPods(api: Api, node: string, runner: Runner, onSynced: () => void): Promise<never> {
  const selector = `fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`;
  for (;;) {
    try {
      let body = '';
      const code = await stream(api, `/api/v1/pods?${selector}`, (line) => { body += line; });
      if (code !== 200) throw new Error(`list pods: HTTP ${code}: ${body.slice(0, 200)}`);
      const list = JSON.parse(body) as { metadata: { resourceVersion: string }; items: Pod[] };
      for (const pod of list.items) runner.enqueue(pod.metadata.uid, servable(pod));
      runner.keepOnly(new Set(list.items.map((p) => p.metadata.uid)));
      await runner.settled();
      onSynced();
      let rv = list.metadata.resourceVersion;
      let expired = false;
      await stream(api, `/api/v1/pods?${selector}&watch=1&allowWatchBookmarks=true&resourceVersion=${rv}&timeoutSeconds=300`, (line) => {
        const event = JSON.parse(line) as { type: string; object: Pod & { code?: number } };
        if (event.type === 'ERROR') {
          expired = true;
          return;
        }
        rv = event.object.metadata.resourceVersion;
        if (event.type === 'BOOKMARK') return;
        runner.enqueue(event.object.metadata.uid, event.type === 'DELETED' ? undefined : servable(event.object));
      });
      if (expired) log('watch expired; relisting');
    } catch (error) {
      log(`watch: ${(error as Error).message}; retrying in 1 s`);
      await new Promise((done) => setTimeout(done, 1_000));
    }
  }
}

function main(): void {
  const { values } = parseArgs({
    options: {
      server: { type: 'string' }, ca: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' },
      node: { type: 'string' }, status: { type: 'string' }, targets: { type: 'string' },
      'drain-ms': { type: 'string', default: '2000' },
    },
  });
  const missing = ['server', 'ca', 'cert', 'key', 'node', 'status', 'targets'].filter((k) => !values[k as keyof typeof values]);
  if (missing.length > 0) throw new Error(`missing --${missing.join(', --')}`);
  const api: Api = {
    base: new URL(values.server!),
    tls: { ca: readFileSync(values.ca!), cert: readFileSync(values.cert!), key: readFileSync(values.key!) },
  };
  const drainMs = Number(values['drain-ms']);
  if (!(drainMs >= 0 && drainMs <= 60_000)) throw new Error(`--drain-ms must be from 0 to 60000, got ${values['drain-ms']}`);
  const runner = new Runner(values.targets!, drainMs);
  let synced = false;
  const [statusHost, statusPort] = values.status!.split(':');
  createServer((req, res) => {
    if (req.url === '/healthz') res.writeHead(synced ? 200 : 503).end(synced ? 'ok\n' : 'not synced\n');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(`${JSON.stringify(runner.list())}\n`);
  }).listen(Number(statusPort), statusHost);
  process.on('SIGTERM', () => process.exit(0));
  void watchPods(api, values.node!, runner, () => {
    if (!synced) log('first pod list reconciled');
    synced = true;
  });
}

if (import.meta.main) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`pod-runner: ${(error as Error).message}\n`);
    process.exit(2);
  }
}
