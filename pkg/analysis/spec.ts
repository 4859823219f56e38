import { parseDuration } from '../rollout/state.ts';
import { parseCondition } from './condition.ts';
import type { Condition } from './condition.ts';

/** When a gate runs (DESIGN-wise: the points between which the CLI measures). */
export type Hook = 'pre-rollout' | 'step' | 'pre-promotion' | 'post-promotion' | 'rollback';
export const HOOKS: readonly Hook[] = ['pre-rollout', 'step', 'pre-promotion', 'post-promotion', 'rollback'];

/** Hooks that only notify: their result is recorded but never holds or rolls back a rollout. */
export const NOTIFY_HOOKS: readonly Hook[] = ['post-promotion', 'rollback'];

/** The builtin checks, which know each router's metric names. */
export type Builtin = 'request-success-rate' | 'request-duration-p99';
export const BUILTINS: readonly Builtin[] = ['request-success-rate', 'request-duration-p99'];

/** A Secret key reference; the value is read when the gate runs and never stored or printed. */
export interface SecretKeyRef {
  name: string;
  key: string;
}

/** Where a Prometheus is: a URL, or `service/<namespace>/<name>:<port>` through the API server's service proxy. */
export interface PrometheusSource {
  address: string;
  /** A bearer token, for a URL address only (the service proxy authenticates with the kubeconfig). */
  tokenSecret?: SecretKeyRef;
}

/** What every gate has: Argo Rollouts' measurement fields, with the same meaning. */
export interface GateCommon {
  name: string;
  at: Hook[];
  /** Time between two measurements. */
  intervalMs: number;
  /** Measurements to take (errors are not counted; they are retried at the next interval). */
  count: number;
  /** Failed measurements tolerated; one more fails the gate. */
  failureLimit: number;
  /** Consecutive errors (no answer, bad query) tolerated; one more fails the gate. */
  consecutiveErrorLimit: number;
  /** Inconclusive measurements (no data, NaN) tolerated; one more makes the gate inconclusive. */
  inconclusiveLimit: number;
  /** Wait this long after the step's traffic moved before the first measurement. */
  initialDelayMs: number;
  /** What an inconclusive gate does: pause the rollout (exit 3) or fail it. */
  onInconclusive: 'pause' | 'fail';
}

/** A metric that knows the router (`check`) or PromQL (`query`). */
export type MetricQuery = { check: Builtin } | { query: string };

export type GateSpec =
  | (GateCommon & { type: 'metric'; metric: MetricQuery; condition: Condition; prometheus?: PrometheusSource })
  | (GateCommon & { type: 'compare'; metric: MetricQuery; direction: 'increase' | 'decrease'; confidence: number; tolerance: number; resolutionMs?: number; marginal: 'pass' | 'fail'; prometheus?: PrometheusSource })
  | (GateCommon & { type: 'webhook'; /** Stored in the state: a URL that is itself a secret (Slack) belongs in `urlSecret`. */ url?: string; urlSecret?: SecretKeyRef; timeoutMs: number; retries: number; headers: Record<string, string>; headersSecret?: string; slack: boolean })
  | (GateCommon & { type: 'job'; template: Record<string, unknown>; timeoutMs: number });

/** Every gate of a rollout, with the Prometheus the metric gates use unless they name another. */
export interface GateSet {
  prometheus?: PrometheusSource;
  /** Which router's metric names the builtins use (default: the app's router). */
  metrics?: MetricsFlavour;
  gates: GateSpec[];
}

/** Metric names the builtins know. */
export type MetricsFlavour = 'traefik' | 'nginx' | 'istio';
export const FLAVOURS: readonly MetricsFlavour[] = ['traefik', 'nginx', 'istio'];

/** A schema error at a path of the input (`gates[1].interval`); the loaders add the line. */
export class SpecError extends Error {
  readonly path: (string | number)[];

  constructor(path: (string | number)[], message: string) {
    super(`${formatPath(path)}: ${message}`);
    this.name = 'SpecError';
    this.path = path;
  }
}

export function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(top)';
}

const COMMON_KEYS = ['name', 'at', 'interval', 'count', 'failureLimit', 'consecutiveErrorLimit', 'inconclusiveLimit', 'initialDelay', 'onInconclusive'];
const TYPE_KEYS = {
  metric: ['check', 'query', 'condition', 'prometheus'],
  compare: ['compare', 'direction', 'confidence', 'tolerance', 'resolution', 'marginal', 'prometheus'],
  webhook: ['webhook', 'timeout', 'retries', 'headers', 'headersSecret', 'slack'],
  job: ['job', 'timeout'],
} as const;

/** Validates a gates document (`{prometheus?, metrics?, gates: [...]}` or a bare list). */
export function parseGateSet(input: unknown, path: (string | number)[] = []): GateSet {
  const doc = Array.isArray(input) ? { gates: input } : input;
  const top = object(doc, path);
  unknownKeys(top, ['prometheus', 'metrics', 'gates'], path);
  const set: GateSet = { gates: [] };
  if (top.prometheus !== undefined) set.prometheus = prometheusSource(top.prometheus, [...path, 'prometheus']);
  if (top.metrics !== undefined) set.metrics = oneOf(top.metrics, FLAVOURS, [...path, 'metrics']);
  if (!Array.isArray(top.gates)) throw new SpecError([...path, 'gates'], 'a list of gates is required');
  const names = new Set<string>();
  top.gates.forEach((g, i) => {
    const gate = parseGate(g, [...path, 'gates', i], i);
    if (names.has(gate.name)) throw new SpecError([...path, 'gates', i, 'name'], `gate name "${gate.name}" is used twice`);
    names.add(gate.name);
    set.gates.push(gate);
  });
  return set;
}

/** Validates one gate. `index` names a gate that has no `name`. */
export function parseGate(input: unknown, path: (string | number)[], index = 0): GateSpec {
  const g = object(input, path);
  const kinds = (['check', 'query', 'compare', 'webhook', 'job'] as const).filter((k) => g[k] !== undefined);
  if (kinds.length !== 1) throw new SpecError(path, kinds.length === 0 ? 'a gate needs one of check, query, compare, webhook or job' : `a gate has one of ${kinds.join(', ')}, not several`);
  const kind = kinds[0]!;
  const type = kind === 'check' || kind === 'query' ? 'metric' : kind;
  unknownKeys(g, [...COMMON_KEYS, ...TYPE_KEYS[type]], path);
  const at = g.at === undefined ? [type === 'job' ? 'pre-promotion' : 'step'] : (Array.isArray(g.at) ? g.at : String(g.at).split(',').map((s) => s.trim()));
  const defaultName = kind === 'check' || kind === 'compare' && typeof g.compare === 'string' && (BUILTINS as readonly string[]).includes(g.compare) ? String(g[kind]) : `${kind}-${index + 1}`;
  const common: GateCommon = {
    name: g.name === undefined ? defaultName : label(g.name, [...path, 'name']),
    at: at.map((h, i) => oneOf(h, HOOKS, [...path, 'at', i])),
    intervalMs: g.interval === undefined ? 30_000 : duration(g.interval, [...path, 'interval'], 1),
    count: g.count === undefined ? (type === 'compare' ? 3 : 1) : integer(g.count, [...path, 'count'], 1),
    failureLimit: g.failureLimit === undefined ? 0 : integer(g.failureLimit, [...path, 'failureLimit'], 0),
    consecutiveErrorLimit: g.consecutiveErrorLimit === undefined ? (type === 'webhook' ? 0 : 4) : integer(g.consecutiveErrorLimit, [...path, 'consecutiveErrorLimit'], 0),
    inconclusiveLimit: g.inconclusiveLimit === undefined ? 0 : integer(g.inconclusiveLimit, [...path, 'inconclusiveLimit'], 0),
    initialDelayMs: g.initialDelay === undefined ? 0 : duration(g.initialDelay, [...path, 'initialDelay'], 0),
    onInconclusive: g.onInconclusive === undefined ? 'pause' : oneOf(g.onInconclusive, ['pause', 'fail'] as const, [...path, 'onInconclusive']),
  };
  const notifyOnly = common.at.filter((h) => NOTIFY_HOOKS.includes(h));
  if (type !== 'webhook' && notifyOnly.length > 0) throw new SpecError([...path, 'at'], `only webhooks run at ${notifyOnly.join(' and ')} (as notifications)`);
  switch (type) {
    case 'metric': {
      if (g.condition === undefined) throw new SpecError([...path, 'condition'], 'a metric gate needs a condition, e.g. "< 0.01" or ">= 99%"');
      const spec: GateSpec = { ...common, type, metric: metric(kind === 'check' ? { check: g.check } : { query: g.query }, path), condition: condition(g.condition, [...path, 'condition']) };
      if (g.prometheus !== undefined) spec.prometheus = prometheusSource(g.prometheus, [...path, 'prometheus']);
      return spec;
    }
    case 'compare': {
      const c = g.compare;
      const m = typeof c === 'string' && (BUILTINS as readonly string[]).includes(c) ? { check: c } : typeof c === 'object' && c !== null ? c : { query: c };
      const spec: GateSpec = {
        ...common,
        type,
        metric: metric(m, [...path, 'compare']),
        direction: g.direction === undefined ? (m as { check?: string }).check === 'request-success-rate' ? 'decrease' : 'increase' : oneOf(g.direction, ['increase', 'decrease'] as const, [...path, 'direction']),
        confidence: g.confidence === undefined ? 0.95 : fraction(g.confidence, [...path, 'confidence'], true),
        tolerance: g.tolerance === undefined ? 0.1 : fraction(g.tolerance, [...path, 'tolerance'], false),
        marginal: g.marginal === undefined ? 'pass' : oneOf(g.marginal, ['pass', 'fail'] as const, [...path, 'marginal']),
      };
      if (g.resolution !== undefined) spec.resolutionMs = duration(g.resolution, [...path, 'resolution'], 1);
      if (g.prometheus !== undefined) spec.prometheus = prometheusSource(g.prometheus, [...path, 'prometheus']);
      return spec;
    }
    case 'webhook': {
      const headers = g.headers === undefined ? {} : object(g.headers, [...path, 'headers']);
      const spec: GateSpec = {
        ...common,
        type,
        timeoutMs: g.timeout === undefined ? 10_000 : duration(g.timeout, [...path, 'timeout'], 1),
        retries: g.retries === undefined ? 2 : integer(g.retries, [...path, 'retries'], 0),
        headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, string(v, [...path, 'headers', k])])),
        slack: g.slack === undefined ? false : boolean(g.slack, [...path, 'slack']),
      };
      if (g.headersSecret !== undefined) spec.headersSecret = label(g.headersSecret, [...path, 'headersSecret']);
      if (typeof g.webhook === 'object' && g.webhook !== null) {
        const w = object(g.webhook, [...path, 'webhook']);
        unknownKeys(w, ['urlSecret'], [...path, 'webhook']);
        spec.urlSecret = secretRef(w.urlSecret, [...path, 'webhook', 'urlSecret'], 'url');
        return spec;
      }
      const url = string(g.webhook, [...path, 'webhook']);
      if (!/^https?:\/\/[^\s/]+/.test(url)) throw new SpecError([...path, 'webhook'], `"${redactUrl(url)}" is not an http(s) URL (a secret URL: webhook: {urlSecret: {name, key}})`);
      spec.url = url;
      return spec;
    }
    case 'job': {
      const job = object(g.job, [...path, 'job']);
      unknownKeys(job, ['template'], [...path, 'job']);
      const template = object(job.template, [...path, 'job', 'template']);
      const spec = object(template.spec, [...path, 'job', 'template', 'spec']);
      const pod = object(object(spec.template, [...path, 'job', 'template', 'spec', 'template']).spec, [...path, 'job', 'template', 'spec', 'template', 'spec']);
      if (!Array.isArray(pod.containers) || pod.containers.length === 0) throw new SpecError([...path, 'job', 'template', 'spec', 'template', 'spec', 'containers'], 'a Job template needs at least one container');
      return { ...common, type, template, timeoutMs: g.timeout === undefined ? 600_000 : duration(g.timeout, [...path, 'timeout'], 1) };
    }
  }
}

/** The URL as safe to print: origin and path, no userinfo or query. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return url.replace(/[?#].*$/, '').replace(/\/\/[^@/]*@/, '//');
  }
}

function metric(m: unknown, path: (string | number)[]): MetricQuery {
  const o = object(m, path);
  if (o.check !== undefined) return { check: oneOf(o.check, BUILTINS, [...path, 'check']) };
  const q = string(o.query, [...path, 'query']).trim();
  if (q === '') throw new SpecError([...path, 'query'], 'the query is empty');
  const bad = /\{\{\s*([^}]*?)\s*\}\}/g;
  for (const match of q.matchAll(bad)) {
    if (!PLACEHOLDERS.includes(match[1]!)) throw new SpecError([...path, 'query'], `unknown placeholder {{${match[1]}}}: use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`);
  }
  return { query: q };
}

/** Placeholders a PromQL query may use. */
export const PLACEHOLDERS = ['app', 'namespace', 'version', 'stable', 'canary', 'service', 'interval', 'window'];

function prometheusSource(input: unknown, path: (string | number)[]): PrometheusSource {
  const o = typeof input === 'string' ? { address: input } : object(input, path);
  unknownKeys(o, ['address', 'tokenSecret'], path);
  const address = string(o.address, [...path, 'address']);
  validateAddress(address, [...path, 'address']);
  const source: PrometheusSource = { address };
  if (o.tokenSecret !== undefined) {
    source.tokenSecret = secretRef(o.tokenSecret, [...path, 'tokenSecret'], 'token');
    if (address.startsWith('service/')) throw new SpecError([...path, 'tokenSecret'], 'a token is for a URL address: through the service proxy the API server authenticates with your kubeconfig');
  }
  return source;
}

/** `http(s)://…` or `service/<namespace>/<name>:<port>`. */
export function validateAddress(address: string, path: (string | number)[] = ['address']): void {
  if (/^https?:\/\/[^\s/]+/.test(address)) return;
  if (/^service\/[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9]*[a-z0-9])?:[A-Za-z0-9-]+$/.test(address)) return;
  throw new SpecError(path, `"${address.replace(/[?#].*$/, '').replace(/\/\/[^@/]*@/, '//')}" is not a Prometheus address: use http(s)://host:port or service/<namespace>/<name>:<port>`);
}

function secretRef(input: unknown, path: (string | number)[], defaultKey: string): SecretKeyRef {
  const t = object(input, path);
  unknownKeys(t, ['name', 'key'], path);
  return { name: label(t.name, [...path, 'name']), key: string(t.key ?? defaultKey, [...path, 'key']) };
}

function condition(input: unknown, path: (string | number)[]): Condition {
  try {
    return parseCondition(typeof input === 'number' ? `== ${input}` : string(input, path));
  } catch (err) {
    if (err instanceof SpecError) throw err;
    throw new SpecError(path, (err as Error).message);
  }
}

function object(input: unknown, path: (string | number)[]): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new SpecError(path, 'expected a mapping');
  return input as Record<string, unknown>;
}

function unknownKeys(o: Record<string, unknown>, known: readonly string[], path: (string | number)[]): void {
  for (const key of Object.keys(o)) if (!known.includes(key)) throw new SpecError([...path, key], `unknown field "${key}" (known here: ${known.join(', ')})`);
}

function string(input: unknown, path: (string | number)[]): string {
  if (typeof input !== 'string') throw new SpecError(path, input === undefined ? 'required' : 'expected a string');
  return input;
}

function label(input: unknown, path: (string | number)[]): string {
  const s = string(input, path);
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(s) || s.length > 63) throw new SpecError(path, `"${s}" is not a valid name (lower-case letters, digits and "-", at most 63)`);
  return s;
}

function oneOf<T extends string>(input: unknown, values: readonly T[], path: (string | number)[]): T {
  if (typeof input !== 'string' || !(values as readonly string[]).includes(input)) throw new SpecError(path, `expected one of ${values.join(', ')}${input === undefined ? '' : `, not ${JSON.stringify(input)}`}`);
  return input as T;
}

function duration(input: unknown, path: (string | number)[], min: number): number {
  let ms: number;
  try {
    ms = typeof input === 'number' ? input * 1000 : parseDuration(string(input, path));
  } catch (err) {
    if (err instanceof SpecError) throw err;
    throw new SpecError(path, (err as Error).message);
  }
  if (!(ms >= min)) throw new SpecError(path, min > 0 ? 'must be more than 0' : 'must not be negative');
  return ms;
}

function integer(input: unknown, path: (string | number)[], min: number): number {
  const n = typeof input === 'string' && /^\d+$/.test(input) ? Number(input) : input;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) throw new SpecError(path, `expected a whole number, ${min} or more`);
  return n;
}

function fraction(input: unknown, path: (string | number)[], open: boolean): number {
  const n = typeof input === 'string' ? (input.endsWith('%') ? Number(input.slice(0, -1)) / 100 : Number(input)) : input;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n >= 1 || (open && n === 0)) throw new SpecError(path, `expected a number ${open ? 'above 0' : 'from 0'} and below 1 (or a percentage)`);
  return n;
}

function boolean(input: unknown, path: (string | number)[]): boolean {
  if (input === true || input === 'true') return true;
  if (input === false || input === 'false') return false;
  throw new SpecError(path, 'expected true or false');
}
