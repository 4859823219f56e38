import type { Argv, Options } from 'yargs';
import type { KubeFlags } from '../kube/index.ts';
import { parseRequestTimeout } from '../kube/config.ts';
import { overrideProblems } from '../kube/overrides.ts';
import { UsageError } from './exit-codes.ts';

/** kubectl's global flags as yargs parses them (`kubectl options` lists them). */
export interface KubectlArgs {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  'request-timeout'?: string;
  server?: string;
  token?: string;
  'certificate-authority'?: string;
  'client-certificate'?: string;
  'client-key'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  username?: string;
  password?: string;
  as?: string;
  /** Repeated flags arrive as an array, a single one as a string. */
  'as-group'?: string | string[];
  'as-uid'?: string;
}

const GROUP = 'kubectl flags:';

/** The flags that change how switchyard connects, in the order of `kubectl options`. */
const CONNECTION: Record<string, Options> = {
  as: { type: 'string', describe: 'Username to impersonate for the operation (a user or a service account)' },
  'as-group': { type: 'string', describe: 'Group to impersonate for the operation (repeatable)' },
  'as-uid': { type: 'string', describe: 'UID to impersonate for the operation' },
  'certificate-authority': { type: 'string', describe: 'Path to a cert file for the certificate authority' },
  'client-certificate': { type: 'string', describe: 'Path to a client certificate file for TLS' },
  'client-key': { type: 'string', describe: 'Path to a client key file for TLS' },
  cluster: { type: 'string', describe: 'The name of the kubeconfig cluster to use' },
  context: { type: 'string', describe: 'The name of the kubeconfig context to use' },
  'insecure-skip-tls-verify': { type: 'boolean', describe: "Do not check the server's certificate (makes HTTPS insecure)" },
  kubeconfig: { type: 'string', describe: 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' },
  namespace: { alias: 'n', type: 'string', describe: "Namespace (default: the context's namespace)" },
  password: { type: 'string', describe: 'Password for basic authentication to the API server' },
  'request-timeout': { type: 'string', describe: 'Timeout of each API request, e.g. 10s (0: none; default 30s)' },
  server: { alias: 's', type: 'string', describe: 'The address and port of the Kubernetes API server' },
  'tls-server-name': { type: 'string', describe: "Server name to use for certificate validation (default: the server's host name)" },
  token: { type: 'string', describe: 'Bearer token for authentication to the API server' },
  user: { type: 'string', describe: 'The name of the kubeconfig user to use' },
  username: { type: 'string', describe: 'Username for basic authentication to the API server' },
};

/**
 * kubectl's flags that concern only kubectl itself (its logging, profiling, discovery cache,
 * version check, response compression, kuberc): accepted so a kubectl command line works,
 * and ignored. Hidden from `--help`; docs/commands.md lists them.
 */
export const IGNORED_KUBECTL_FLAGS: Record<string, Options> = {
  'cache-dir': { type: 'string' },
  'disable-compression': { type: 'boolean' },
  kuberc: { type: 'string' },
  'log-flush-frequency': { type: 'string' },
  'match-server-version': { type: 'boolean' },
  profile: { type: 'string' },
  'profile-output': { type: 'string' },
  v: { type: 'string' },
  vmodule: { type: 'string' },
  'warnings-as-errors': { type: 'boolean' },
};

/** The names of every kubectl global flag switchyard accepts (for completion and tests). */
export const KUBECTL_FLAG_NAMES: readonly string[] = [...Object.keys(CONNECTION), ...Object.keys(IGNORED_KUBECTL_FLAGS)].sort();

/** Adds every kubectl global flag, as a global option of every command. */
export function kubectlFlags<T>(y: Argv<T>): Argv<T & KubectlArgs> {
  let out = y as Argv;
  for (const [name, opt] of Object.entries(CONNECTION)) out = out.option(name, { ...opt, global: true, group: GROUP });
  for (const [name, opt] of Object.entries(IGNORED_KUBECTL_FLAGS)) out = out.option(name, { ...opt, global: true, hidden: true });
  return out as Argv<T & KubectlArgs>;
}

/**
 * Turns the parsed kubectl flags into the kube layer's {@link KubeFlags}. Throws a
 * {@link UsageError} for a bad `--request-timeout`, a flag given an empty value where
 * kubectl needs one, or a combination kubectl refuses (`--token` with `--username`, …).
 */
export function kubeFlagsFrom(a: KubectlArgs): KubeFlags {
  const flags: KubeFlags = {};
  const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) ? String(v.at(-1)) : undefined);
  const copy = <K extends keyof KubeFlags>(key: K, value: KubeFlags[K] | undefined): void => {
    if (value !== undefined) flags[key] = value;
  };
  copy('kubeconfig', text(a.kubeconfig));
  copy('context', text(a.context));
  copy('cluster', text(a.cluster));
  copy('user', text(a.user));
  copy('namespace', text(a.namespace));
  copy('server', text(a.server));
  copy('token', text(a.token));
  copy('certificateAuthority', text(a['certificate-authority']));
  copy('clientCertificate', text(a['client-certificate']));
  copy('clientKey', text(a['client-key']));
  copy('tlsServerName', text(a['tls-server-name']));
  copy('username', text(a.username));
  copy('password', text(a.password));
  copy('as', text(a.as));
  copy('asUid', text(a['as-uid']));
  if (a['insecure-skip-tls-verify'] === true) flags.insecureSkipTlsVerify = true;
  if (a['as-group'] !== undefined) flags.asGroups = ([] as string[]).concat(a['as-group']).map(String);
  const timeout = text(a['request-timeout']);
  if (timeout !== undefined) {
    try {
      flags.requestTimeoutMs = parseRequestTimeout(timeout);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const problems = overrideProblems(flags);
  if (problems.length > 0) throw new UsageError(problems.join('; '));
  return flags;
}

/** The kubectl flags whose values are secrets. */
const SECRET_FLAGS = new Set(['--token', '--password']);

/**
 * A command line with the values of `--token` and `--password` replaced by `<hidden>`, so
 * a line echoed to stderr ("run it again to resume: …") never puts a credential in a CI log.
 */
export function hideSecrets(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    if (eq > 0 && SECRET_FLAGS.has(arg.slice(0, eq))) out.push(`${arg.slice(0, eq)}=<hidden>`);
    else if (SECRET_FLAGS.has(arg) && i + 1 < argv.length) {
      out.push(arg, '<hidden>');
      i++;
    } else out.push(arg);
  }
  return out;
}
