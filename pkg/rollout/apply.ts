import { parseAllDocuments } from 'yaml';
import type { Kube } from '../kube/index.ts';
import type { KubeObject, RenderOptions } from '../render/index.ts';
import { postRender } from './post-render.ts';

/** Kinds applied first, in this order (as Helm installs them); everything else after. */
const FIRST = ['Namespace', 'CustomResourceDefinition', 'ServiceAccount', 'Secret', 'ConfigMap', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding', 'Service', 'Deployment'];

/** What `apply -f` did. */
export interface ApplyResult {
  applied: string[];
  warnings: string[];
}

/**
 * `kubectl canary apply -f`: the post-renderer's transform on a plain manifest (reading
 * the live state, so a re-apply moves no traffic), then server-side apply of every object
 * with field manager `switchyard`, Namespaces and CRDs first.
 */
export async function applyManifest(kube: Kube, namespace: string, input: string | Uint8Array, options: RenderOptions): Promise<ApplyResult> {
  const result = await postRender(input, options, { kind: 'cluster', flags: {}, open: async () => kube, keepOpen: true });
  const objects = parseAllDocuments(result.text, { version: '1.1' })
    .map((d) => d.toJS({ maxAliasCount: 100 }) as KubeObject | null)
    .filter((o): o is KubeObject => o !== null && typeof o === 'object');
  const rank = (o: KubeObject): number => {
    const i = FIRST.indexOf(o.kind);
    return i < 0 ? FIRST.length : i;
  };
  objects.sort((a, b) => rank(a) - rank(b));
  const applied: string[] = [];
  for (const obj of objects) {
    if (obj.metadata.namespace === undefined) obj.metadata.namespace = namespace;
    await kube.apply(obj);
    applied.push(`${obj.kind.toLowerCase()}/${obj.metadata.name}`);
  }
  return { applied, warnings: result.warnings };
}
