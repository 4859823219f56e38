import type { KubeObject } from './types.ts';

/** The kinds of object a pod template reads its configuration from. */
export type ConfigKind = 'ConfigMap' | 'Secret';

/** One place in a pod template that names a ConfigMap or Secret. */
export interface ConfigRef {
  readonly kind: ConfigKind;
  readonly name: string;
  /** Points the reference at another object. */
  rename(to: string): void;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

function slot(holder: unknown, key: string, kind: ConfigKind, out: ConfigRef[]): void {
  if (!isObj(holder)) return;
  const name = holder[key];
  if (typeof name !== 'string' || name === '') return;
  out.push({ kind, name, rename: (to) => { holder[key] = to; } });
}

/**
 * Every reference of a pod template to a ConfigMap or Secret, in a fixed order: each
 * container's (init containers first) `env[].valueFrom` and `envFrom[]`, then `volumes[]`
 * (`configMap`, `secret`, and `projected` sources). Image pull secrets are credentials, not
 * configuration, and are not listed.
 */
export function configRefs(template: unknown): ConfigRef[] {
  const out: ConfigRef[] = [];
  const spec = isObj(template) ? template.spec : undefined;
  if (!isObj(spec)) return out;
  for (const container of [...list(spec.initContainers), ...list(spec.containers)]) {
    for (const env of list(container.env)) {
      const from = env.valueFrom;
      if (!isObj(from)) continue;
      slot(from.configMapKeyRef, 'name', 'ConfigMap', out);
      slot(from.secretKeyRef, 'name', 'Secret', out);
    }
    for (const from of list(container.envFrom)) {
      slot(from.configMapRef, 'name', 'ConfigMap', out);
      slot(from.secretRef, 'name', 'Secret', out);
    }
  }
  for (const volume of list(spec.volumes)) {
    slot(volume.configMap, 'name', 'ConfigMap', out);
    slot(volume.secret, 'secretName', 'Secret', out);
    const projected = volume.projected;
    if (!isObj(projected)) continue;
    for (const source of list(projected.sources)) {
      slot(source.configMap, 'name', 'ConfigMap', out);
      slot(source.secret, 'name', 'Secret', out);
    }
  }
  return out;
}

/** The key of a config object in an index of the chart's ConfigMaps and Secrets. */
export function configKey(kind: string, name: string): string {
  return `${kind}/${name}`;
}

/** Whether an object is a ConfigMap or Secret a pod template can read. */
export function isConfigObject(obj: KubeObject): boolean {
  return obj.apiVersion === 'v1' && (obj.kind === 'ConfigMap' || obj.kind === 'Secret');
}

/** What of a ConfigMap or Secret reaches a pod: its data, and for a Secret its type. */
export function configContent(obj: KubeObject): Obj {
  const out: Obj = {};
  for (const key of ['type', 'data', 'binaryData', 'stringData']) if (obj[key] !== undefined && obj[key] !== null) out[key] = obj[key];
  return out;
}
