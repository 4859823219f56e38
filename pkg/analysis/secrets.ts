import type { Kube } from '../kube/index.ts';
import type { SecretKeyRef } from './spec.ts';

/** Every key of Secret `name` as a header (name → value). Values stay in memory only. */
export async function readSecretHeaders(kube: Kube, namespace: string, name: string): Promise<Record<string, string>> {
  const data = await secretData(kube, namespace, name);
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, decode(v)]));
}

/** One key of a Secret (a bearer token). */
export async function readSecretKey(kube: Kube, namespace: string, ref: SecretKeyRef): Promise<string> {
  const data = await secretData(kube, namespace, ref.name);
  const value = data[ref.key];
  if (value === undefined) throw new Error(`Secret ${namespace}/${ref.name} has no key "${ref.key}"`);
  return decode(value).trim();
}

async function secretData(kube: Kube, namespace: string, name: string): Promise<Record<string, string>> {
  const secret = await kube.get('v1', 'Secret', namespace, name);
  if (secret === undefined) throw new Error(`Secret ${namespace}/${name} not found`);
  return (secret.data ?? {}) as Record<string, string>;
}

function decode(base64: string): string {
  return Buffer.from(base64, 'base64').toString('utf8');
}
