import type { Kube } from '../kube/index.ts';
import { isKubeError } from '../kube/index.ts';
import { APP_LABEL, childName, versionSlug } from '../render/index.ts';
import { shortHash } from '../render/naming.ts';
import type { KubeObject } from '../render/index.ts';
import type { Measurement } from './progress.ts';

/** The label naming the gate a Job runs for. */
export const GATE_LABEL = 'switchyard.dev/gate';

/** What a Job gate's Job is told, as environment variables and `{{…}}` in the template's strings. */
export interface JobTarget {
  app: string;
  namespace: string;
  version: string;
  stable: string;
  stage: string;
  /** The header that routes to `version`, and its value. */
  header: string;
  /** `<svc>-<version>.<namespace>.svc`: the version's own Service, when it has one. */
  service?: string;
}

/** The Job of gate `gate` for `target` at its stage: deterministic, so a re-run finds the same Job. */
export function jobName(gate: string, target: JobTarget): string {
  return childName(`${target.app}-${gate}`, `${versionSlug(target.version)}-${shortHash(target.stage).slice(0, 5)}`);
}

/** Builds the Job from the gate's template (`{apiVersion?, metadata?, spec}` of a Job). */
export function buildJob(gate: string, template: Record<string, unknown>, target: JobTarget): KubeObject {
  const values: Record<string, string> = { app: target.app, namespace: target.namespace, version: target.version, canary: target.version, stable: target.stable, header: target.header, service: target.service ?? '', stage: target.stage };
  const filled = fill(structuredClone(template), values) as { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: Record<string, unknown> };
  const spec = filled.spec as { backoffLimit?: number; ttlSecondsAfterFinished?: number; template: { spec: { containers: { env?: { name: string; value: string }[] }[]; restartPolicy?: string } } };
  spec.backoffLimit ??= 0;
  spec.ttlSecondsAfterFinished ??= 3600;
  spec.template.spec.restartPolicy ??= 'Never';
  const env = [
    ['SWITCHYARD_APP', target.app],
    ['SWITCHYARD_NAMESPACE', target.namespace],
    ['SWITCHYARD_VERSION', target.version],
    ['SWITCHYARD_STABLE', target.stable],
    ['SWITCHYARD_STAGE', target.stage],
    ['SWITCHYARD_HEADER', target.header],
    ['SWITCHYARD_SERVICE', target.service ?? ''],
  ].map(([name, value]) => ({ name: name!, value: value! }));
  for (const c of spec.template.spec.containers) c.env = [...(c.env ?? []).filter((e) => !e.name.startsWith('SWITCHYARD_')), ...env];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(gate, target),
      namespace: target.namespace,
      labels: { ...filled.metadata?.labels, [APP_LABEL]: target.app, [GATE_LABEL]: gate },
      ...(filled.metadata?.annotations === undefined ? {} : { annotations: filled.metadata.annotations }),
    },
    spec: filled.spec,
  };
}

/**
 * One look at the gate's Job: creates it the first time (an existing one of the same name
 * is this stage's, made by an earlier run), then reads it. Undefined while it runs.
 */
export async function checkJob(kube: Kube, job: KubeObject, startedAt: number, timeoutMs: number, now: number): Promise<Measurement | undefined> {
  const at = new Date(now).toISOString();
  let live = await kube.get('batch/v1', 'Job', job.metadata.namespace, job.metadata.name);
  if (live === undefined) {
    try {
      live = await kube.create(job);
    } catch (err) {
      if (!isKubeError(err, 'conflict')) throw err;
      return undefined;
    }
  }
  const status = (live.status ?? {}) as { conditions?: { type: string; status: string; reason?: string; message?: string }[]; succeeded?: number; failed?: number };
  const condition = (type: string) => status.conditions?.find((c) => c.type === type && c.status === 'True');
  const failed = condition('Failed');
  if (failed !== undefined) return { at, phase: 'fail', message: `Job ${job.metadata.name} failed${failed.reason === undefined ? '' : `: ${failed.reason}`}${failed.message === undefined ? '' : ` (${failed.message})`}` };
  if (condition('Complete') !== undefined || condition('SuccessCriteriaMet') !== undefined) return { at, phase: 'pass', message: `Job ${job.metadata.name} succeeded` };
  if (now - startedAt > timeoutMs) return { at, phase: 'fail', message: `Job ${job.metadata.name} did not finish within ${Math.round(timeoutMs / 1000)}s` };
  return undefined;
}

/** Deletes a gate's Job and its pods (best effort: it also expires by ttlSecondsAfterFinished). */
export async function deleteJob(kube: Kube, namespace: string, name: string): Promise<void> {
  try {
    await kube.delete('batch/v1', 'Job', namespace, name, { propagation: 'Background' });
  } catch {
    // the Job expires by itself
  }
}

function fill(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/\{\{\s*([a-z]+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
  if (Array.isArray(value)) return value.map((v) => fill(v, values));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, values)]));
  return value;
}
