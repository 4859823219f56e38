import { sha256 } from './sha256.ts';

/** Longest name for Services, label values and the names switchyard generates. */
export const MAX_NAME = 63;

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A short, deterministic hash of `text`: 5 lowercase base-36 characters. */
export function shortHash(text: string): string {
  const first = new DataView(sha256(text).buffer).getUint32(0);
  return (first % 36 ** 5).toString(36).padStart(5, '0');
}

/** Whether `value` is a valid label value (at most 63 characters). */
export function isLabelValue(value: string): boolean {
  return value.length <= MAX_NAME && LABEL_VALUE.test(value);
}

/** Whether `name` is a DNS-1123 label (Pods, Namespaces; at most 63 characters). */
export function isDns1123Label(name: string): boolean {
  return name.length <= MAX_NAME && DNS1123_LABEL.test(name);
}

/** Whether `name` is a DNS-1035 label (Service names; starts with a letter; at most 63 characters). */
export function isDns1035Label(name: string): boolean {
  return name.length <= MAX_NAME && DNS1035_LABEL.test(name);
}

/** Whether `name` is a DNS-1123 subdomain (most object names; at most 253 characters). */
export function isDns1123Subdomain(name: string): boolean {
  return name.length <= 253 && DNS1123_SUBDOMAIN.test(name);
}

/**
 * Turns a raw version string into a label value: `+` becomes `_` (as Helm does for
 * `helm.sh/chart`), other invalid characters become `-`, leading and trailing
 * non-alphanumerics are dropped, and an over-long value is cut with a short hash
 * of the original so two long versions never collide.
 * Returns `undefined` when nothing label-safe is left.
 */
export function labelSafeVersion(raw: string): string | undefined {
  let value = raw.trim().replace(/\+/g, '_').replace(/[^A-Za-z0-9._-]/g, '-');
  value = value.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
  if (value === '') return undefined;
  if (value.length > MAX_NAME) value = `${value.slice(0, MAX_NAME - 6).replace(/[^A-Za-z0-9]+$/, '')}-${shortHash(raw)}`;
  return value;
}

/**
 * The DNS-safe slug of a version, used in object names: lowercase, every run of
 * characters outside `[a-z0-9]` becomes one `-`. `1.2.3` → `1-2-3`, `V2_rc.1` → `v2-rc-1`.
 * When the slug had to drop information (case or a `_`), a hash of the version is appended
 * so `1.2.3` and `1-2-3` never share a name.
 */
export function versionSlug(version: string): string {
  const plain = version.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const lossless = version.replace(/[.]/g, '-') === plain;
  const base = plain === '' ? 'v' : plain;
  return lossless ? base : `${base}-${shortHash(version)}`;
}

/**
 * A child object name `<base>-<suffix>` that stays a DNS-1035 label of at most 63
 * characters. When too long, `base` is cut and a hash of the full name keeps it unique
 * and deterministic. A base that starts with a digit gets an `s-` prefix only if needed
 * for DNS-1035 (Service names).
 */
export function childName(base: string, suffix: string): string {
  const full = `${base}-${suffix}`;
  if (full.length <= MAX_NAME) return full;
  const hash = shortHash(full);
  const room = MAX_NAME - suffix.length - hash.length - 2;
  if (room >= 1) return `${base.slice(0, room).replace(/-+$/, '')}-${hash}-${suffix}`.replace(/^-+/, '');
  return `${full.slice(0, MAX_NAME - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}
