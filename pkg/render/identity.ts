import { configContent, configKey, configRefs } from './config.ts';
import { sha256Hex } from './sha256.ts';
import type { KubeObject } from './types.ts';
import { withoutTrackLabels } from './workload.ts';

/**
 * What makes a version (DESIGN.md, "A version is a pod template"): the chart's pod template
 * and the data of the chart's ConfigMaps and Secrets it reads. Two renders give the same
 * version exactly when these are equal.
 */
export interface TemplateIdentity {
  /** 16 hex digits of a SHA-256 over the canonical JSON of the template and its config. */
  readonly hash: string;
  /** Keys (`Kind/name`) of the chart's config objects the template reads, in reference order, once each. */
  readonly configs: readonly string[];
}

/** The pod template of a Deployment. */
export function podTemplate(deployment: KubeObject): Record<string, unknown> | undefined {
  const template = (deployment.spec as { template?: unknown } | undefined)?.template;
  return typeof template === 'object' && template !== null ? (template as Record<string, unknown>) : undefined;
}

/** The identity of a chart Deployment's pod template; `config` finds the chart's ConfigMaps and Secrets by {@link configKey}. */
export function templateIdentity(deployment: KubeObject, config: (key: string) => KubeObject | undefined): TemplateIdentity {
  const template = podTemplate(deployment) ?? {};
  const used = new Map<string, KubeObject>();
  for (const ref of configRefs(template)) {
    const key = configKey(ref.kind, ref.name);
    const obj = used.has(key) ? undefined : config(key);
    if (obj !== undefined) used.set(key, obj);
  }
  const content = [...used].map(([key, obj]) => [key, configContent(obj)]);
  const hash = sha256Hex(canonicalJson({ template, config: content })).slice(0, 16);
  return { hash, configs: [...used.keys()] };
}

/** JSON with object keys sorted, so equal data always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (i > 0) out += ',';
      out += v === undefined ? 'null' : canonicalJson(v);
    }
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  // The default sort orders strings by UTF-16 code units, as `<` does.
  const keys = Object.keys(obj).sort();
  let out = '{';
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const v = obj[key];
    if (v === undefined) continue;
    if (out.length > 1) out += ',';
    out += `${JSON.stringify(key)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/**
 * Whether a live pod template is the chart's, for Deployments that carry no identity
 * annotation (written before it existed, or adopted from a plain Helm release). The API
 * server fills in defaults (`imagePullPolicy`, `protocol: TCP`, `terminationMessagePath`…)
 * and normalises quantities (`0.5` → `500m`), so this asks whether everything the chart
 * says is live, with lists of the same length, ignoring the labels switchyard adds.
 */
export function sameTemplate(chart: unknown, live: unknown): boolean {
  return covers(chart, withoutSwitchyardLabels(live));
}

function withoutSwitchyardLabels(template: unknown): unknown {
  if (typeof template !== 'object' || template === null) return template;
  const t = template as { metadata?: { labels?: Record<string, string> } };
  const labels = t.metadata?.labels;
  return labels === undefined ? template : { ...t, metadata: { ...t.metadata, labels: withoutTrackLabels(labels) } };
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

function covers(chart: unknown, live: unknown): boolean {
  if (isEmpty(chart)) return true;
  if (Array.isArray(chart)) return Array.isArray(live) && live.length === chart.length && chart.every((c, i) => covers(c, live[i]));
  if (typeof chart === 'object' && chart !== null) {
    if (typeof live !== 'object' || live === null || Array.isArray(live)) return false;
    return Object.entries(chart).every(([k, v]) => covers(v, (live as Record<string, unknown>)[k]));
  }
  if (live === undefined || live === null) return chart === false || chart === 0;
  if (chart === live || String(chart) === String(live)) return true;
  const a = quantity(chart);
  const b = quantity(live);
  return a !== undefined && b !== undefined && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
}

const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A Kubernetes quantity (`500m`, `1Gi`, `0.5`, `1e3`) as a number; undefined for anything else. */
export function quantity(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?\d+))?$/.exec(value);
  if (m === null) return undefined;
  const n = Number(m[1]);
  if (m[3] !== undefined) return n * 10 ** Number(m[3]);
  return n * SUFFIX[m[2] ?? '']!;
}
