import { closeSync, mkdirSync, openSync, readFileSync, readlinkSync, writeFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';

/** What the Helm process that started us was told on its command line. */
export interface HelmInvocation {
  pid: number;
  /** `install`, `upgrade`, `template`, … */
  command: string | undefined;
  namespace: string | undefined;
  kubeContext: string | undefined;
  kubeconfig: string | undefined;
}

/**
 * The Helm process that runs us as its post-renderer, if any (Linux only: read from
 * /proc). Helm passes neither the release namespace nor the kube context to a
 * post-renderer, so we read them from Helm's own command line.
 */
export function helmParent(ppid: number = process.ppid): HelmInvocation | undefined {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${ppid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  } catch {
    return undefined;
  }
  if (argv.length === 0 || !basename(argv[0]!).startsWith('helm')) return undefined;
  return parseHelmArgs(ppid, argv.slice(1));
}

/** Parses the flags switchyard cares about out of Helm's argv. */
export function parseHelmArgs(pid: number, args: string[]): HelmInvocation {
  const out: HelmInvocation = { pid, command: undefined, namespace: undefined, kubeContext: undefined, kubeconfig: undefined };
  const flags: Record<string, 'namespace' | 'kubeContext' | 'kubeconfig'> = { '-n': 'namespace', '--namespace': 'namespace', '--kube-context': 'kubeContext', '--kubeconfig': 'kubeconfig' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const field = flags[name];
    if (field !== undefined) {
      out[field] = eq > 0 ? arg.slice(eq + 1) : args[++i];
    } else if (arg.startsWith('-n') && arg.length > 2 && !arg.startsWith('--')) {
      out.namespace = arg.slice(2);
    } else if (out.command === undefined && !arg.startsWith('-')) {
      out.command = arg;
    }
  }
  return out;
}

/**
 * Writes a line to the stderr of the Helm process that runs us. Helm 4 captures a
 * post-renderer plugin's stderr and never shows it, so this is how the reason for a
 * failure reaches the user. Returns false when it could not (not Linux, no Helm parent,
 * or Helm's stderr cannot be reopened).
 */
export function writeToHelmStderr(line: string, parent: HelmInvocation | undefined = helmParent()): boolean {
  if (parent === undefined) return false;
  const target = `/proc/${parent.pid}/fd/2`;
  try {
    if (readlinkSync(target) === readlinkSync('/proc/self/fd/2')) return false;
  } catch {
    return false;
  }
  return appendLine(target, line);
}

/** Opens `path` for appending and writes one line; false when it cannot. */
function appendLine(path: string, line: string): boolean {
  try {
    const fd = openSync(path, 'a');
    try {
      writeSync(fd, line.endsWith('\n') ? line : `${line}\n`);
    } finally {
      closeSync(fd);
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the last post-renderer failure is kept, for `switchyard-postrender --last-error`:
 * `$XDG_STATE_HOME/switchyard/last-error` (default `~/.local/state/switchyard/last-error`).
 */
export function lastErrorPath(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== '' ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(base, 'switchyard', 'last-error');
}

/** Records a failure line with its time; best effort. */
export function saveLastError(line: string, env: NodeJS.ProcessEnv, now: number): void {
  try {
    const path = lastErrorPath(env);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, `${new Date(now).toISOString()} ${line}\n`);
  } catch {
    // nowhere to write: the other channels still carry the reason
  }
}

/** Writes a line to the controlling terminal, if there is one. */
export function writeToTerminal(line: string): boolean {
  return appendLine('/dev/tty', line);
}
