import { existsSync, readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import type { Connection, KubeFlags } from './config.ts';
import { bareConnection, hasServerOverride } from './overrides.ts';

interface Named<T> {
  name: string;
  value: T;
  /** Directory of the kubeconfig file the entry came from (relative paths resolve against it). */
  dir: string;
}
interface ClusterEntry {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
}
interface UserEntry {
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: unknown;
  'auth-provider'?: unknown;
  as?: string;
  'as-groups'?: string[];
  'as-uid'?: string;
  'as-user-extra'?: unknown;
}
interface ContextEntry {
  cluster?: string;
  user?: string;
  namespace?: string;
}
interface FileShape {
  'current-context'?: string;
  clusters?: { name: string; cluster: ClusterEntry }[];
  users?: { name: string; user: UserEntry }[];
  contexts?: { name: string; context: ContextEntry }[];
}

/**
 * Reads a plain kubeconfig without @kubernetes/client-node: client certificates, bearer
 * tokens (inline or from a file), basic auth, CA data or files, insecure-skip-tls-verify
 * and tls-server-name, impersonation (`as`, `as-groups`, `as-uid`), with KUBECONFIG's
 * merge rule (the first file to define a name wins). With no context to use (an empty
 * kubeconfig) and `--server` given, the connection comes from the flags alone. Returns
 * undefined for anything else — an exec credential plugin, an auth-provider, a proxy,
 * `as-user-extra`, or a file it cannot read — so the caller falls
 * back to client-node, which handles every case. It saves loading that library, most of
 * a command's start-up time.
 */
export function plainConnection(flags: KubeFlags): Connection | undefined {
  const files = flags.kubeconfig !== undefined && flags.kubeconfig !== '' ? [flags.kubeconfig] : (process.env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== '');
  const paths = files.length > 0 ? files : [join(homedir(), '.kube', 'config')];
  const clusters = new Map<string, Named<ClusterEntry>>();
  const users = new Map<string, Named<UserEntry>>();
  const contexts = new Map<string, Named<ContextEntry>>();
  let current: string | undefined;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    let doc: FileShape;
    try {
      doc = (parse(readFileSync(path, 'utf8')) ?? {}) as FileShape;
    } catch {
      return undefined;
    }
    const dir = dirname(path);
    for (const c of doc.clusters ?? []) if (!clusters.has(c.name)) clusters.set(c.name, { name: c.name, value: c.cluster ?? {}, dir });
    for (const u of doc.users ?? []) if (!users.has(u.name)) users.set(u.name, { name: u.name, value: u.user ?? {}, dir });
    for (const c of doc.contexts ?? []) if (!contexts.has(c.name)) contexts.set(c.name, { name: c.name, value: c.context ?? {}, dir });
    if ((current === undefined || current === '') && doc['current-context'] !== undefined) current = doc['current-context'];
  }
  const contextName = flags.context !== undefined && flags.context !== '' ? flags.context : current;
  const context = contextName === undefined ? undefined : contexts.get(contextName);
  if (context === undefined) return (flags.context ?? '') === '' && hasServerOverride(flags) ? bareConnection(flags) : undefined;
  const cluster = clusters.get(flags.cluster ?? context.value.cluster ?? '');
  const user = users.get(flags.user ?? context.value.user ?? '');
  if (cluster === undefined || cluster.value['proxy-url'] !== undefined) return undefined;
  if (cluster.value.server === undefined && !hasServerOverride(flags)) return undefined;
  const u = user?.value ?? {};
  if (u.exec !== undefined || u['auth-provider'] !== undefined || u['as-user-extra'] !== undefined) return undefined;
  try {
    const tls = tlsOptions(cluster, user);
    // applyOverrides puts --server in place; a cluster entry without a server needs it.
    const server = new URL(cluster.value.server ?? flags.server ?? '');
    return {
      server,
      tls,
      namespace: flags.namespace !== undefined && flags.namespace !== '' ? flags.namespace : (context.value.namespace ?? 'default'),
      context: context.name,
      requestTimeoutMs: flags.requestTimeoutMs ?? 30_000,
      refresh: async () => tlsOptions(cluster, user),
    };
  } catch {
    return undefined;
  }
}

function tlsOptions(cluster: Named<ClusterEntry>, user: Named<UserEntry> | undefined): RequestOptions {
  const c = cluster.value;
  const u = user?.value ?? {};
  const opts: RequestOptions = {};
  const file = (entry: Named<unknown>, path: string): Buffer => readFileSync(isAbsolute(path) ? path : join(entry.dir, path));
  if (c['certificate-authority-data'] !== undefined) opts.ca = Buffer.from(c['certificate-authority-data'], 'base64');
  else if (c['certificate-authority'] !== undefined) opts.ca = file(cluster, c['certificate-authority']);
  if (c['insecure-skip-tls-verify'] === true) opts.rejectUnauthorized = false;
  if (c['tls-server-name'] !== undefined) opts.servername = c['tls-server-name'];
  if (user !== undefined) {
    if (u['client-certificate-data'] !== undefined) opts.cert = Buffer.from(u['client-certificate-data'], 'base64');
    else if (u['client-certificate'] !== undefined) opts.cert = file(user, u['client-certificate']);
    if (u['client-key-data'] !== undefined) opts.key = Buffer.from(u['client-key-data'], 'base64');
    else if (u['client-key'] !== undefined) opts.key = file(user, u['client-key']);
    const token = u.token ?? (u.tokenFile === undefined ? undefined : file(user, u.tokenFile).toString('utf8').trim());
    if (token !== undefined && token !== '') opts.headers = { Authorization: `Bearer ${token}` };
    else if (u.username !== undefined && u.password !== undefined) opts.headers = { Authorization: `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}` };
    if (u.as !== undefined && u.as !== '') {
      const headers: Record<string, string | string[]> = { ...(opts.headers as Record<string, string> | undefined), 'Impersonate-User': u.as };
      if ((u['as-groups'] ?? []).length > 0) headers['Impersonate-Group'] = u['as-groups']!;
      if (u['as-uid'] !== undefined && u['as-uid'] !== '') headers['Impersonate-Uid'] = u['as-uid'];
      opts.headers = headers;
    }
  }
  return opts;
}
