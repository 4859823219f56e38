import type { RenderOptions } from '../render/index.ts';
import type { ParentGateway } from '../route/index.ts';
import { UsageError } from './exit-codes.ts';

/** The post-renderer's flags about which workloads are rolled out and how their versions are named. */
export interface WorkloadArgs {
  version?: string[] | string;
  include?: string[] | string;
  exclude?: string[] | string;
  gateway?: string[] | string;
}

/** yargs option specs for {@link WorkloadArgs}, shared by switchyard-postrender and `kubectl canary render|apply`. */
export const WORKLOAD_OPTIONS = {
  version: { type: 'string', array: true, requiresArg: true, describe: 'Name of the new version of every workload whose pod template changed; app=version for one workload (repeatable). Default: the tag of the image that changed, else a changed app.kubernetes.io/version, else a template hash' },
  include: { type: 'string', array: true, requiresArg: true, describe: 'Roll out this Deployment by versions although no Service of the chart selects it (repeatable)' },
  exclude: { type: 'string', array: true, requiresArg: true, describe: 'Leave this Deployment to Helm (repeatable)' },
  gateway: { type: 'string', array: true, requiresArg: true, describe: 'Generate an HTTPRoute attached to [namespace/]name[:section] for apps whose Services no chart route targets (HTTP ports only); app=[namespace/]name[:section] for one app (repeatable)' },
} as const;

const list = (v: string[] | string | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Splits `app=value` from a plain `value`; the app must be a Deployment name. */
function perApp(flag: string, raw: string): { app?: string; value: string } {
  const eq = raw.indexOf('=');
  if (eq < 0) return { value: raw };
  const app = raw.slice(0, eq);
  const value = raw.slice(eq + 1);
  if (!NAME.test(app) || value === '') throw new UsageError(`--${flag} "${raw}": expected ${flag === 'version' ? 'version or app=version' : 'gateway or app=gateway'}`);
  return { app, value };
}

/** The render options the workload flags give. */
export function workloadOptions(args: WorkloadArgs): Pick<RenderOptions, 'version' | 'versions' | 'include' | 'exclude' | 'gateway' | 'gateways'> {
  const out: ReturnType<typeof workloadOptions> = {};
  for (const raw of list(args.version)) {
    const { app, value } = perApp('version', raw);
    if (app === undefined) {
      if (out.version !== undefined && out.version !== value) throw new UsageError(`--version given twice (${out.version}, ${value}); use app=version for one workload`);
      out.version = value;
    } else (out.versions ??= {})[app] = value;
  }
  for (const raw of list(args.gateway)) {
    const { app, value } = perApp('gateway', raw);
    if (app === undefined) out.gateway = parseGateway(value);
    else (out.gateways ??= {})[app] = parseGateway(value);
  }
  for (const key of ['include', 'exclude'] as const) {
    const names = list(args[key]);
    for (const name of names) if (!NAME.test(name)) throw new UsageError(`--${key} "${name}": not a Deployment name`);
    if (names.length > 0) out[key] = names;
  }
  const both = (out.include ?? []).filter((n) => out.exclude?.includes(n));
  if (both.length > 0) throw new UsageError(`--include and --exclude both name ${both.join(', ')}`);
  return out;
}

/** `[namespace/]name[:section]` → a parent Gateway. */
export function parseGateway(value: string): ParentGateway {
  const match = /^(?:([a-z0-9-]+)\/)?([a-z0-9.-]+)(?::([a-z0-9.-]+))?$/.exec(value);
  if (match === null) throw new UsageError(`--gateway "${value}": expected [namespace/]name[:section]`);
  const gateway: ParentGateway = { name: match[2]! };
  if (match[1] !== undefined) gateway.namespace = match[1];
  if (match[3] !== undefined) gateway.sectionName = match[3];
  return gateway;
}
