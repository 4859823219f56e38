import { podTemplate } from './identity.ts';
import { K8S_VERSION_LABEL } from './labels.ts';
import { labelSafeVersion } from './naming.ts';
import { RenderError } from './errors.ts';
import type { KubeObject } from './types.ts';

/** Where a version's name came from, for messages and `status`. */
export type VersionSource = 'flag' | 'label' | 'image-tag' | 'hash';

/** A resolved version of a workload. */
export interface ResolvedVersion {
  /** The label-safe version string. */
  version: string;
  /** Where it came from. */
  source: VersionSource;
}

/**
 * The name an unversioned Deployment goes by: `--version`, else the
 * `app.kubernetes.io/version` label (pod template first, then metadata), else the first
 * container's image tag. Used for Deployments adopted from a plain Helm release (and for
 * versions written before template identity); new versions are named by
 * {@link nameNewVersion}. Throws a {@link RenderError} when none gives a usable value.
 */
export function resolveVersion(deployment: KubeObject, flag: string | undefined): ResolvedVersion {
  const name = `Deployment ${deployment.metadata.name}`;
  if (flag !== undefined) return { version: mustBeSafe(flag, name, 'the --version flag'), source: 'flag' };
  const label = versionLabel(podTemplate(deployment), deployment.metadata.labels);
  if (label !== undefined) return { version: mustBeSafe(label, name, `its ${K8S_VERSION_LABEL} label`), source: 'label' };
  const image = podSpec(deployment)?.containers?.[0]?.image;
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

/** Inputs of {@link nameNewVersion}. */
export interface NamingInput {
  /** The chart's Deployment. */
  chart: KubeObject;
  /** `--version` for this workload (per app, else the global one). */
  flag?: string | undefined;
  /** The live stable version's pod template; undefined on a first install. */
  stableTemplate?: unknown;
  /** The live stable Deployment's own labels. */
  stableLabels?: Record<string, string> | undefined;
  /** The pod template hash of the new version (see identity.ts). */
  hash: string;
  /** Versions live with a different pod template: a name among them gets a hash suffix. */
  taken: ReadonlySet<string>;
}

/**
 * The name of a new version (DESIGN.md, "Naming"): `--version`, else the tag of the first
 * image that changed against the stable version (on a first install: the first
 * container's), else `app.kubernetes.io/version` when it differs from the stable
 * version's, else the first 7 digits of the template hash. A name already taken by a
 * different template gets `-<5 hash digits>`. Always a valid label value.
 */
export function nameNewVersion(input: NamingInput): ResolvedVersion {
  const { chart, hash, taken } = input;
  const name = `Deployment ${chart.metadata.name}`;
  const picked = pick(input);
  const version = picked.raw === undefined ? hash.slice(0, 7) : mustBeSafe(picked.raw, name, picked.from);
  if (!taken.has(version)) return { version, source: picked.source };
  const suffix = `-${hash.slice(0, 5)}`;
  const base = version.length + suffix.length > 63 ? version.slice(0, 63 - suffix.length).replace(/[^A-Za-z0-9]+$/, '') : version;
  const suffixed = `${base}${suffix}`;
  return { version: taken.has(suffixed) ? hash : suffixed, source: picked.source };
}

function pick(input: NamingInput): { raw?: string; source: VersionSource; from: string } {
  if (input.flag !== undefined) return { raw: input.flag, source: 'flag', from: 'the --version flag' };
  const chartImages = images(podSpec(input.chart));
  const stableImages = input.stableTemplate === undefined ? undefined : images((input.stableTemplate as { spec?: unknown }).spec);
  const all = [...chartImages];
  const changed = stableImages === undefined ? all.slice(0, 1) : all.filter(([c, image]) => stableImages.get(c) !== image);
  for (const [, image] of changed) {
    const tag = imageTag(image);
    if (tag !== undefined) return { raw: tag, source: 'image-tag', from: `its image tag (${image})` };
  }
  const label = versionLabel(podTemplate(input.chart), input.chart.metadata.labels);
  const stableLabel = input.stableTemplate === undefined ? undefined : versionLabel(input.stableTemplate, input.stableLabels);
  if (label !== undefined && label !== stableLabel) return { raw: label, source: 'label', from: `its ${K8S_VERSION_LABEL} label` };
  return { source: 'hash', from: 'its pod template' };
}

type Spec = { containers?: { name?: string; image?: string }[]; initContainers?: { name?: string; image?: string }[] } | undefined;

function podSpec(deployment: KubeObject): Spec {
  return (podTemplate(deployment) as { spec?: Spec } | undefined)?.spec;
}

/** Images by container name: containers first, then init containers. */
function images(spec: unknown): Map<string, string> {
  const s = spec as Spec;
  const out = new Map<string, string>();
  for (const c of [...(s?.containers ?? []), ...(s?.initContainers ?? [])]) {
    if (typeof c?.image === 'string' && !out.has(String(c.name))) out.set(String(c.name), c.image);
  }
  return out;
}

function versionLabel(template: unknown, metadataLabels: Record<string, string> | undefined): string | undefined {
  const value = (template as { metadata?: { labels?: Record<string, unknown> } } | undefined)?.metadata?.labels?.[K8S_VERSION_LABEL] ?? metadataLabels?.[K8S_VERSION_LABEL];
  return value === undefined || value === null || value === '' ? undefined : String(value);
}
