import { readFileSync } from 'node:fs';
import type { RequestOptions } from 'node:https';
import type { Connection, KubeFlags } from './config.ts';
import { KubeError } from './errors.ts';

/** HTTP headers as node:https takes them; impersonated groups are one header line each. */
type Headers = Record<string, string | string[]>;

/** Whether `--server` was given, so a connection can be made without any kubeconfig. */
export function hasServerOverride(flags: KubeFlags): boolean {
  return flags.server !== undefined && flags.server !== '';
}

/**
 * A connection made from the flags alone, as kubectl makes one when the kubeconfig is
 * missing or empty and `--server` names the API server: no context, namespace `default`
 * unless `-n` says otherwise, credentials only from `--token`, `--client-certificate`, ….
 * {@link applyOverrides} adds those.
 */
export function bareConnection(flags: KubeFlags): Connection {
  return {
    server: parseServer(flags.server ?? ''),
    tls: {},
    namespace: flags.namespace !== undefined && flags.namespace !== '' ? flags.namespace : 'default',
    context: '',
    requestTimeoutMs: flags.requestTimeoutMs ?? 30_000,
    refresh: async () => ({}),
  };
}

/**
 * Applies kubectl's connection flags on top of a connection read from the kubeconfig, with
 * kubectl's rules: `--server` replaces the address (and drops the kubeconfig's
 * `tls-server-name` unless `--tls-server-name` is given too); `--certificate-authority`
 * replaces the CA; `--insecure-skip-tls-verify` turns verification off and cannot be
 * combined with `--certificate-authority`; `--token` replaces the bearer token and
 * `--username`/`--password` the basic credentials (not both); `--client-certificate` and
 * `--client-key` replace the certificate and key; `--as`, `--as-group` and `--as-uid` set
 * the impersonation headers. Credentials refreshed later (exec plugins, token files) get
 * the same overrides. Files named by flags are read here, relative to the working directory.
 */
export function applyOverrides(conn: Connection, flags: KubeFlags): Connection {
  if (!hasOverrides(flags)) return conn;
  const problems = overrideProblems(flags);
  if (problems.length > 0) throw new KubeError('config', problems.join('; '));
  const files = readFlagFiles(flags);
  const apply = (tls: RequestOptions): RequestOptions => overlay(tls, flags, files);
  return {
    ...conn,
    server: hasServerOverride(flags) ? parseServer(flags.server!) : conn.server,
    tls: apply(conn.tls),
    refresh: async () => apply(await conn.refresh()),
  };
}

const OVERRIDE_KEYS = [
  'server', 'certificateAuthority', 'insecureSkipTlsVerify', 'tlsServerName',
  'token', 'clientCertificate', 'clientKey', 'username', 'password', 'as', 'asGroups', 'asUid',
] as const;

function hasOverrides(flags: KubeFlags): boolean {
  return OVERRIDE_KEYS.some((key) => {
    const value = flags[key];
    return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== '' && value !== false;
  });
}

/**
 * The combinations of connection flags kubectl refuses, one message each (empty when the
 * flags are fine). The CLI reports them as usage errors before connecting.
 */
export function overrideProblems(flags: KubeFlags): string[] {
  const set = (v: string | undefined): boolean => v !== undefined && v !== '';
  const problems: string[] = [];
  if (flags.insecureSkipTlsVerify === true && set(flags.certificateAuthority)) {
    problems.push('specifying a root certificates file with --insecure-skip-tls-verify is not allowed');
  }
  if (set(flags.token) && (set(flags.username) || set(flags.password))) {
    problems.push('username/password or bearer token may be set, but not both');
  }
  if (((flags.asGroups ?? []).some(set) || set(flags.asUid)) && !set(flags.as)) {
    problems.push('requesting uid or groups without impersonating a user: give --as too');
  }
  return problems;
}

interface FlagFiles {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

function readFlagFiles(flags: KubeFlags): FlagFiles {
  const read = (flag: string, path: string | undefined): Buffer | undefined => {
    if (path === undefined || path === '') return undefined;
    try {
      return readFileSync(path);
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new KubeError('config', `cannot read ${flag} ${path}: ${why}`, { cause: err });
    }
  };
  const files: FlagFiles = {};
  const ca = read('--certificate-authority', flags.certificateAuthority);
  const cert = read('--client-certificate', flags.clientCertificate);
  const key = read('--client-key', flags.clientKey);
  if (ca !== undefined) files.ca = ca;
  if (cert !== undefined) files.cert = cert;
  if (key !== undefined) files.key = key;
  return files;
}

function overlay(base: RequestOptions, flags: KubeFlags, files: FlagFiles): RequestOptions {
  const tls: RequestOptions = { ...base };
  const headers: Headers = { ...(base.headers as Headers | undefined) };
  if (files.ca !== undefined) tls.ca = files.ca;
  if (flags.insecureSkipTlsVerify === true) {
    tls.rejectUnauthorized = false;
    delete tls.ca;
  }
  if (flags.tlsServerName !== undefined && flags.tlsServerName !== '') tls.servername = flags.tlsServerName;
  else if (hasServerOverride(flags)) delete tls.servername;
  if (files.cert !== undefined) tls.cert = files.cert;
  if (files.key !== undefined) tls.key = files.key;
  if (flags.token !== undefined && flags.token !== '') headers.Authorization = `Bearer ${flags.token}`;
  else if ((flags.username ?? '') !== '' || (flags.password ?? '') !== '') {
    headers.Authorization = `Basic ${Buffer.from(`${flags.username ?? ''}:${flags.password ?? ''}`).toString('base64')}`;
  }
  if (flags.as !== undefined && flags.as !== '') {
    for (const name of Object.keys(headers)) if (/^impersonate-/i.test(name)) delete headers[name];
    headers['Impersonate-User'] = flags.as;
    const groups = (flags.asGroups ?? []).filter((g) => g !== '');
    if (groups.length > 0) headers['Impersonate-Group'] = groups;
    if (flags.asUid !== undefined && flags.asUid !== '') headers['Impersonate-Uid'] = flags.asUid;
  }
  if (Object.keys(headers).length > 0) tls.headers = headers;
  return tls;
}

function parseServer(server: string): URL {
  // kubectl accepts a bare host[:port] and assumes https.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `https://${server}`;
  try {
    return new URL(withScheme);
  } catch (err) {
    throw new KubeError('config', `invalid --server "${server}": use an address such as https://127.0.0.1:6443`, { cause: err });
  }
}
