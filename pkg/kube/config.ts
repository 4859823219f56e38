import { existsSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeError } from './errors.ts';
import { plainConnection } from './kubeconfig.ts';
import { applyOverrides, bareConnection, hasServerOverride } from './overrides.ts';

/** The standard kubectl connection flags. */
export interface KubeFlags {
  /** Path to a kubeconfig file; default `$KUBECONFIG`, then `~/.kube/config`. */
  kubeconfig?: string;
  /** Context to use; default the current context. */
  context?: string;
  /** Cluster entry to use instead of the context's. */
  cluster?: string;
  /** User entry to use instead of the context's. */
  user?: string;
  /** Namespace; default the context's namespace, then `default`. */
  namespace?: string;
  /** Per-request timeout in milliseconds; 0 means none. Default: 30 s. */
  requestTimeoutMs?: number;
  /** `-s/--server`: the API server's address, replacing the cluster entry's. */
  server?: string;
  /** `--certificate-authority`: a CA bundle file, replacing the cluster entry's CA. */
  certificateAuthority?: string;
  /** `--insecure-skip-tls-verify`: do not verify the server's certificate. */
  insecureSkipTlsVerify?: boolean;
  /** `--tls-server-name`: the name to verify the server's certificate against (and send as SNI). */
  tlsServerName?: string;
  /** `--token`: a bearer token, replacing the user entry's token or token file. */
  token?: string;
  /** `--client-certificate`: a client certificate file, replacing the user entry's. */
  clientCertificate?: string;
  /** `--client-key`: the client certificate's key file, replacing the user entry's. */
  clientKey?: string;
  /** `--username`: basic authentication, with {@link KubeFlags.password}. */
  username?: string;
  /** `--password`: basic authentication, with {@link KubeFlags.username}. */
  password?: string;
  /** `--as`: the user to impersonate. */
  as?: string;
  /** `--as-group`: groups to impersonate (repeatable). */
  asGroups?: string[];
  /** `--as-uid`: the UID to impersonate. */
  asUid?: string;
}

/** A resolved connection: where the API server is and how to authenticate. */
export interface Connection {
  server: URL;
  /** TLS material and auth headers for node:https. */
  tls: RequestOptions;
  /** The namespace commands use when none is given. */
  namespace: string;
  context: string;
  requestTimeoutMs: number;
  /** The kubeconfig's `proxy-url`; requests then go through the agent in `tls.agent`. */
  proxyUrl?: string;
  /** Refreshes short-lived credentials (exec plugins, token files) before a request. */
  refresh(): Promise<RequestOptions>;
}

/**
 * Resolves kubeconfig and flags into a {@link Connection}. Plain kubeconfigs (client
 * certificates, tokens, CA) are read directly ({@link plainConnection}); anything else
 * — exec credential plugins, OIDC auth-providers, proxies — goes through
 * @kubernetes/client-node's KubeConfig, which knows every auth method. The library is
 * imported lazily, so commands that do not need it never pay for loading it.
 * `SWITCHYARD_KUBECONFIG_LOADER=client-node` forces the library.
 *
 * kubectl's connection flags (`--server`, `--token`, `--as`, …) apply on top of either,
 * as kubectl applies them on top of the kubeconfig ({@link applyOverrides}); with
 * `--server` no kubeconfig is needed at all.
 */
export async function connect(flags: KubeFlags): Promise<Connection> {
  return applyOverrides(await fromKubeconfig(flags), flags);
}

async function fromKubeconfig(flags: KubeFlags): Promise<Connection> {
  if (flags.kubeconfig === undefined && !hasDefaultConfig()) {
    if (hasServerOverride(flags)) return bareConnection(flags);
    throw new KubeError('config', 'no kubeconfig found: set KUBECONFIG or pass --kubeconfig (or give --server)');
  }
  if (process.env.SWITCHYARD_KUBECONFIG_LOADER !== 'client-node') {
    const plain = plainConnection(flags);
    if (plain !== undefined) return plain;
  }
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    if (flags.kubeconfig !== undefined && flags.kubeconfig !== '') kc.loadFromFile(flags.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    if (hasServerOverride(flags) && (flags.context ?? '') === '') return bareConnection(flags);
    throw new KubeError('config', `cannot load kubeconfig ${flags.kubeconfig ?? process.env.KUBECONFIG ?? '~/.kube/config'}: ${(err as Error).message}`, { cause: err });
  }
  if (flags.context !== undefined && flags.context !== '') {
    if (kc.getContextObject(flags.context) === null) throw new KubeError('config', `context "${flags.context}" is not in the kubeconfig`);
    kc.setCurrentContext(flags.context);
  }
  const contextName = kc.getCurrentContext();
  const context = kc.getContextObject(contextName);
  if (flags.cluster !== undefined || flags.user !== undefined) {
    const cluster = kc.getCluster(flags.cluster ?? context?.cluster ?? '');
    const user = kc.getUser(flags.user ?? context?.user ?? '');
    if (cluster === null) throw new KubeError('config', `cluster "${flags.cluster}" is not in the kubeconfig`);
    if (user === null) throw new KubeError('config', `user "${flags.user}" is not in the kubeconfig`);
    kc.loadFromClusterAndUser(cluster, user);
  }
  const cluster = kc.getCurrentCluster();
  if ((cluster === null || cluster.server === '') && hasServerOverride(flags)) return bareConnection(flags);
  if (cluster === null || cluster.server === '') throw new KubeError('config', 'no cluster in the kubeconfig: set KUBECONFIG, --kubeconfig or --context');
  const refresh = async (): Promise<RequestOptions> => {
    const opts: RequestOptions = {};
    try {
      await kc.applyToHTTPSOptions(opts);
    } catch (err) {
      throw new KubeError('unauthorized', `cannot get credentials for context "${contextName}": ${(err as Error).message}`, { cause: err });
    }
    return opts;
  };
  return {
    server: new URL(cluster.server),
    tls: await refresh(),
    namespace: flags.namespace !== undefined && flags.namespace !== '' ? flags.namespace : (context?.namespace ?? 'default'),
    context: contextName,
    requestTimeoutMs: flags.requestTimeoutMs ?? 30_000,
    ...(cluster.proxyUrl === undefined || cluster.proxyUrl === '' ? {} : { proxyUrl: cluster.proxyUrl }),
    refresh,
  };
}

/** Whether kubectl would find a configuration: $KUBECONFIG, ~/.kube/config, or in-cluster service account. */
function hasDefaultConfig(): boolean {
  const fromEnv = (process.env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== '');
  if (fromEnv.length > 0) return fromEnv.some((p) => existsSync(p));
  if (existsSync(join(homedir(), '.kube', 'config'))) return true;
  return process.env.KUBERNETES_SERVICE_HOST !== undefined && existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token');
}

/** Parses kubectl's `--request-timeout` (`0`, `30`, `30s`, `1m`, `500ms`) into milliseconds. */
export function parseRequestTimeout(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (match === null) throw new KubeError('config', `invalid --request-timeout "${value}": use a duration such as 30s or 1m`);
  const n = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h']);
}
