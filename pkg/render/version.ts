import { K8S_VERSION_LABEL } from './labels.ts';
import { labelSafeVersion } from './naming.ts';
import { RenderError } from './errors.ts';
import type { KubeObject } from './types.ts';

/** Where a version came from, for messages. */
export type VersionSource = 'flag' | 'label' | 'image-tag';

/** A resolved version of a workload. */
export interface ResolvedVersion {
  /** The label-safe version string. */
  version: string;
  /** Where it came from. */
  source: VersionSource;
}

/**
 * The version of a Deployment, per DESIGN.md: `--version`, else the
 * `app.kubernetes.io/version` label (pod template first, then metadata), else the first
 * container's image tag. Throws a {@link RenderError} when none gives a usable value.
 */
export function resolveVersion(deployment: KubeObject, flag: string | undefined): ResolvedVersion {
  const name = `Deployment ${deployment.metadata.name}`;
  if (flag !== undefined) return { version: mustBeSafe(flag, name, 'the --version flag'), source: 'flag' };
  const spec = deployment.spec as { template?: { metadata?: { labels?: Record<string, string> }; spec?: { containers?: { image?: string }[] } } } | undefined;
  const label = spec?.template?.metadata?.labels?.[K8S_VERSION_LABEL] ?? deployment.metadata.labels?.[K8S_VERSION_LABEL];
  if (label !== undefined && label !== '') return { version: mustBeSafe(String(label), name, `its ${K8S_VERSION_LABEL} label`), source: 'label' };
  const image = spec?.template?.spec?.containers?.[0]?.image;
  const tag = image === undefined ? undefined : imageTag(image);
  if (tag !== undefined) return { version: mustBeSafe(tag, name, `its image tag (${image})`), source: 'image-tag' };
  throw new RenderError('no-version', `${name}: no version: pass --version, or set the ${K8S_VERSION_LABEL} label, or use an image with a tag`);
}

/** The tag of an image reference, or undefined for `name`, `name:latest`-less or digest-only references. */
export function imageTag(image: string): string | undefined {
  const withoutDigest = image.split('@')[0] ?? '';
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  if (colon < 0) return undefined;
  const tag = withoutDigest.slice(colon + 1);
  return tag === '' ? undefined : tag;
}

function mustBeSafe(raw: string, name: string, from: string): string {
  const safe = labelSafeVersion(raw);
  if (safe === undefined) throw new RenderError('bad-version', `${name}: version "${raw}" from ${from} has no label-safe characters`);
  return safe;
}
