import type { Kube } from '../kube/index.ts';
import { redactUrl } from './spec.ts';
import type { PrometheusSource } from './spec.ts';

/** What a query gave: a number, or no data (an empty result, NaN or ±Inf). */
export type QueryValue = { kind: 'value'; value: number } | { kind: 'none'; why: string };

/** Prometheus' HTTP API, the two calls gates use. Errors are thrown as {@link QueryError}. */
export interface Prometheus {
  /** An instant query at `time` (ms): the single value of its result. */
  instant(query: string, time: number): Promise<QueryValue>;
  /** A range query: the values of its single series, one per `stepMs`. */
  range(query: string, start: number, end: number, stepMs: number): Promise<number[]>;
}

/** The query could not be answered (unreachable, refused, bad query); one line, no secrets. */
export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryError';
  }
}

const TIMEOUT_MS = 10_000;

/**
 * A client for `source`: a URL with an optional bearer token, or `service/<ns>/<name>:<port>`
 * through the API server's service proxy (the kubeconfig's credentials; no network path
 * into the cluster needed).
 */
export function prometheusClient(source: PrometheusSource, kube: Kube, token?: string): Prometheus {
  const get = source.address.startsWith('service/') ? viaProxy(source.address, kube) : viaUrl(source.address, token);
  return {
    async instant(query, time) {
      const data = await get('query', { query, time: (time / 1000).toFixed(3) });
      return single(data, query);
    },
    async range(query, start, end, stepMs) {
      const data = await get('query_range', { query, start: (start / 1000).toFixed(3), end: (end / 1000).toFixed(3), step: `${Math.max(1, Math.round(stepMs / 1000))}s` });
      if (data.resultType !== 'matrix') throw new QueryError(`the query gave a ${data.resultType}, not a range: ${short(query)}`);
      const series = data.result as { values?: [number, string][] }[];
      if (series.length > 1) throw new QueryError(`the query gave ${series.length} series, not one (aggregate it, e.g. with sum()): ${short(query)}`);
      return (series[0]?.values ?? []).map(([, v]) => Number(v)).filter((v) => Number.isFinite(v));
    },
  };
}

type Get = (endpoint: 'query' | 'query_range', params: Record<string, string>) => Promise<{ resultType: string; result: unknown }>;

function viaProxy(address: string, kube: Kube): Get {
  const m = /^service\/([^/]+)\/([^:]+):(.+)$/.exec(address)!;
  const base = `/api/v1/namespaces/${m[1]}/services/${m[2]}:${m[3]}/proxy/api/v1/`;
  return async (endpoint, params) => {
    if (kube.getRaw === undefined) throw new QueryError('this client cannot reach the API server\'s service proxy');
    let text: string;
    try {
      text = await kube.getRaw(base + endpoint, params, { timeoutMs: TIMEOUT_MS, what: `Prometheus ${address}` });
    } catch (err) {
      throw new QueryError(oneLine((err as Error).message));
    }
    return decode(text, address);
  };
}

function viaUrl(address: string, token: string | undefined): Get {
  const shown = redactUrl(address);
  return async (endpoint, params) => {
    const url = new URL(`api/v1/${endpoint}`, address.endsWith('/') ? address : `${address}/`);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      const c = (err as { cause?: { code?: string; message?: string; errors?: { code?: string }[] } }).cause;
      const cause = (err as Error).name === 'TimeoutError' ? 'TimeoutError' : c?.code ?? c?.errors?.[0]?.code ?? c?.message ?? (err as Error).message;
      throw new QueryError(`Prometheus ${shown}: ${cause === 'TimeoutError' ? `no answer within ${TIMEOUT_MS} ms` : `cannot reach it (${cause})`}`);
    }
    const text = await response.text();
    if (!response.ok && !text.startsWith('{')) throw new QueryError(`Prometheus ${shown}: HTTP ${response.status}`);
    return decode(text, shown);
  };
}

function decode(text: string, shown: string): { resultType: string; result: unknown } {
  let body: { status?: string; error?: string; errorType?: string; data?: { resultType: string; result: unknown } };
  try {
    body = JSON.parse(text);
  } catch {
    throw new QueryError(`Prometheus ${shown}: the answer is not Prometheus JSON`);
  }
  if (body.status !== 'success' || body.data === undefined) throw new QueryError(`Prometheus ${shown}: ${body.errorType ?? 'error'}: ${oneLine(body.error ?? 'no data in the answer')}`);
  return body.data;
}

/** The one number of an instant result; several series are an error (the query must aggregate). */
function single(data: { resultType: string; result: unknown }, query: string): QueryValue {
  let raw: string | undefined;
  if (data.resultType === 'scalar') raw = (data.result as [number, string])[1];
  else if (data.resultType === 'vector') {
    const series = data.result as { value: [number, string] }[];
    if (series.length === 0) return { kind: 'none', why: 'no data' };
    if (series.length > 1) throw new QueryError(`the query gave ${series.length} series, not one (aggregate it, e.g. with sum()): ${short(query)}`);
    raw = series[0]!.value[1];
  } else throw new QueryError(`the query gave a ${data.resultType}, not a number: ${short(query)}`);
  const value = Number(raw);
  if (!Number.isFinite(value)) return { kind: 'none', why: `the value is ${raw}` };
  return { kind: 'value', value };
}

function short(query: string): string {
  const q = query.replace(/\s+/g, ' ');
  return q.length > 120 ? `${q.slice(0, 117)}...` : q;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}
