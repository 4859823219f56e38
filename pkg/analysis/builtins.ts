import type { RouterName } from '../route/index.ts';
import type { Builtin, MetricQuery, MetricsFlavour } from './spec.ts';

/** What a query is about: one version of one app, and the Services that carry its traffic. */
export interface QueryTarget {
  app: string;
  namespace: string;
  /** The version measured. */
  version: string;
  canary: string;
  stable: string;
  /** Names of the Services whose traffic is this version's (for the stable version: the chart's Services too). */
  services: string[];
  /** Port numbers and names of those Services. */
  ports: string[];
  /** `{{interval}}`: the gate's interval, as PromQL duration. */
  interval: string;
  /** `{{window}}`: the rate window of one compare sample. */
  window: string;
}

/** The metric names each flavour of router exposes (Flagger's builtins know the same). */
const TEMPLATES: Record<MetricsFlavour, Record<Builtin, (t: QueryTarget, range: string) => string>> = {
  traefik: {
    'request-success-rate': (t, r) => ratio('traefik_service_requests_total', traefikSelector(t), 'code', r),
    'request-duration-p99': (t, r) => `histogram_quantile(0.99, sum by (le) (rate(traefik_service_request_duration_seconds_bucket{${traefikSelector(t)}}[${r}])))`,
  },
  nginx: {
    'request-success-rate': (t, r) => ratio('nginx_ingress_controller_requests', `namespace="${t.namespace}",service=~"${alternatives(t.services)}"`, 'status', r),
    'request-duration-p99': (t, r) => `histogram_quantile(0.99, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{namespace="${t.namespace}",service=~"${alternatives(t.services)}"}[${r}])))`,
  },
  istio: {
    'request-success-rate': (t, r) => ratio('istio_requests_total', istioSelector(t), 'response_code', r),
    'request-duration-p99': (t, r) => `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${istioSelector(t)}}[${r}]))) / 1000`,
  },
};

/** The flavour of metrics a router's traffic is counted in; undefined where none is known. */
export function flavourFor(router: RouterName): MetricsFlavour | undefined {
  switch (router) {
    case 'gateway': // the local data plane's Gateway is Traefik; others set `metrics:` or write a query
    case 'traefik':
      return 'traefik';
    case 'nginx':
      return 'nginx';
    case 'istio':
      return 'istio';
    case 'service':
      return undefined;
  }
}

/**
 * The PromQL of a gate's metric for `target`: the builtin's for the flavour, or the
 * user's query with its placeholders filled in. `range` is the rate window (`{{interval}}`
 * for a metric gate, `{{window}}` for a compare sample).
 */
export function resolveQuery(metric: MetricQuery, target: QueryTarget, flavour: MetricsFlavour | undefined, router: RouterName, range: 'interval' | 'window'): string {
  const r = range === 'interval' ? target.interval : target.window;
  if ('check' in metric) {
    if (flavour === undefined) throw new Error(`the builtin ${metric.check} knows no metrics of router "${router}" (it splits traffic by replica counts): set metrics: traefik|nginx|istio in the gates file, or write a query`);
    return TEMPLATES[flavour][metric.check](target, r);
  }
  const values: Record<string, string> = {
    app: target.app,
    namespace: target.namespace,
    version: target.version,
    canary: target.canary,
    stable: target.stable,
    service: alternatives(target.services),
    interval: target.interval,
    window: target.window,
  };
  return metric.query.replace(/\{\{\s*([a-z]+)\s*\}\}/g, (_, name: string) => values[name] ?? '');
}

/** PromQL duration of milliseconds: whole seconds, at least 1s. */
export function promDuration(ms: number): string {
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

function ratio(metric: string, selector: string, code: string, range: string): string {
  return `sum(rate(${metric}{${selector},${code}!~"5.."}[${range}])) / sum(rate(${metric}{${selector}}[${range}]))`;
}

/** Traefik names a backend `<namespace>-<service>-<port>@<provider>` (the port by number or name, maybe prefixed by its protocol). */
function traefikSelector(t: QueryTarget): string {
  return `service=~"${t.namespace}-(${alternatives(t.services)})-((http|https|h2c)-)?(${alternatives(t.ports)})@.+"`;
}

function istioSelector(t: QueryTarget): string {
  return `reporter="destination",destination_service_namespace="${t.namespace}",destination_service_name=~"${alternatives(t.services)}"`;
}

/** A regex alternation of exact names (DNS labels and port names need no escaping). */
function alternatives(names: string[]): string {
  return [...new Set(names)].join('|');
}
