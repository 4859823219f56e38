import type { Kube } from '../kube/index.ts';
import { APP_LABEL, ROLE_LABEL, VERSION_LABEL } from '../render/labels.ts';
import { configRefs } from '../render/config.ts';
import type { KubeObject } from '../render/types.ts';

/**
 * Deletes the per-version copies of chart ConfigMaps and Secrets that a versioned
 * Deployment reads (`<name>-<version>`, role `config`), found through its pod template, so
 * that no `list` on Secrets is needed. Objects that are not that version's copies are left.
 * Returns `Kind/name` of each deleted object.
 */
export async function deleteConfigCopies(kube: Kube, namespace: string, deployment: KubeObject): Promise<string[]> {
  const app = deployment.metadata.labels?.[APP_LABEL];
  const version = deployment.metadata.labels?.[VERSION_LABEL];
  if (app === undefined || version === undefined) return [];
  const deleted: string[] = [];
  const seen = new Set<string>();
  for (const ref of configRefs((deployment.spec as { template?: unknown } | undefined)?.template)) {
    const key = `${ref.kind}/${ref.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const obj = await kube.get('v1', ref.kind, namespace, ref.name);
    const labels = obj?.metadata.labels;
    if (labels?.[ROLE_LABEL] !== 'config' || labels[APP_LABEL] !== app || labels[VERSION_LABEL] !== version) continue;
    if (await kube.delete('v1', ref.kind, namespace, ref.name)) deleted.push(key);
  }
  return deleted;
}
