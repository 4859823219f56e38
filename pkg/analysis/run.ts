import type { Kube } from '../kube/index.ts';
import type { RouterName } from '../route/index.ts';
import { flavourFor, promDuration, resolveQuery } from './builtins.ts';
import type { QueryTarget } from './builtins.ts';
import { meets } from './condition.ts';
import { buildJob, checkJob, deleteJob } from './job.ts';
import { judge } from './judge.ts';
import { addMeasurement, assess, nextDue, startProgress } from './progress.ts';
import type { GateProgress, Measurement, Verdict } from './progress.ts';
import { prometheusClient, QueryError } from './prometheus.ts';
import type { Prometheus } from './prometheus.ts';
import { readSecretHeaders, readSecretKey } from './secrets.ts';
import { NOTIFY_HOOKS, redactUrl } from './spec.ts';
import type { GateSet, GateSpec, Hook, PrometheusSource } from './spec.ts';
import { callWebhook } from './webhook.ts';
import type { WebhookPayload } from './webhook.ts';

/** One stage of analysis: the gates of one hook at one step, and where each is. */
export interface StageState {
  /** `pre-rollout`, `step-3`, `pre-promotion`: unique within a rollout. */
  stage: string;
  hook: Hook;
  /** ISO: when the stage began (for a step: when its traffic moved). */
  startedAt: string;
  gates: GateProgress[];
}

/** Everything a measurement needs to know about the rollout. */
export interface AnalysisContext {
  kube: Kube;
  namespace: string;
  app: string;
  release?: string;
  router: RouterName;
  stable: string;
  canary: string;
  header: string;
  /** The chart's Services of the app (stable), with their ports. */
  services: { name: string; ports: string[] }[];
  /** Per-version Service name of `version`. */
  versionService(service: string, version: string): string;
  step?: number;
  weight: number;
  phase: string;
  now(): number;
  signal?: AbortSignal;
  /** Default: {@link prometheusClient}; unit tests give a fake. */
  prometheus?: (source: PrometheusSource, token: string | undefined) => Prometheus;
}

/** What one pass of a stage did. */
export interface StageResult {
  stage: StageState;
  /** Measurements taken in this pass, for Events and the live view. */
  measured: { gate: string; measurement: Measurement }[];
  outcome: { verdict: Verdict; message: string } | { verdict: 'running'; nextAt: number };
}

/**
 * The gates of `set` that run at `hook`. At a step of 100% the stable version has no
 * traffic, so compare gates do not measure there (`weight`).
 */
export function gatesAt(set: GateSet | undefined, hook: Hook, weight?: number): GateSpec[] {
  return set?.gates.filter((g) => g.at.includes(hook) && !(g.type === 'compare' && hook === 'step' && (weight ?? 0) >= 100)) ?? [];
}

/** A new stage of `hook` for `gates`, starting `now`. */
export function startStage(stage: string, hook: Hook, gates: GateSpec[], now: number): StageState {
  return { stage, hook, startedAt: new Date(now).toISOString(), gates: gates.map((g) => startProgress(g.name)) };
}

/**
 * Takes every measurement that is due, then judges the stage: any failed gate fails it,
 * then any inconclusive one makes it inconclusive; it passes once every gate passed.
 * Pure in its decisions (progress.ts); the measurements are the only I/O.
 */
export async function runStage(set: GateSet, input: StageState, ctx: AnalysisContext): Promise<StageResult> {
  const stage = structuredClone(input);
  const started = Date.parse(stage.startedAt);
  const measured: StageResult['measured'] = [];
  for (let i = 0; i < stage.gates.length; i++) {
    let progress = stage.gates[i]!;
    const spec = set.gates.find((g) => g.name === progress.gate);
    if (spec === undefined || progress.verdict !== undefined) continue;
    const now = ctx.now();
    if (spec.type !== 'job' && nextDue(spec, progress, started) > now) continue;
    const m = await measure(set, spec, progress, stage, ctx);
    progress = m.progress;
    if (m.measurement !== undefined) {
      progress = addMeasurement(progress, m.measurement);
      measured.push({ gate: spec.name, measurement: m.measurement });
    }
    const decided = assess(spec, progress);
    if (decided !== undefined) {
      progress.verdict = decided.verdict;
      if (spec.type === 'job' && progress.job !== undefined) await deleteJob(ctx.kube, ctx.namespace, progress.job);
    }
    stage.gates[i] = progress;
  }
  return { stage, measured, outcome: judgeStage(set, stage, ctx.now()) };
}

/** The stage's outcome from its gates' records. */
export function judgeStage(set: GateSet, stage: StageState, now: number): StageResult['outcome'] {
  const started = Date.parse(stage.startedAt);
  const line = (p: GateProgress, why: string): string => `${p.gate}: ${p.measurements.at(-1)?.message ?? why}`;
  for (const verdict of ['fail', 'inconclusive'] as const) {
    const p = stage.gates.find((g) => g.verdict === verdict);
    if (p !== undefined) {
      const spec = set.gates.find((g) => g.name === p.gate)!;
      return { verdict, message: `${line(p, verdict)} (${assess(spec, p)?.reason ?? verdict})` };
    }
  }
  const open = stage.gates.filter((g) => g.verdict === undefined);
  if (open.length === 0) return { verdict: 'pass', message: stage.gates.map((g) => line(g, 'pass')).join('; ') || 'no gates' };
  const nextAt = Math.min(...open.map((p) => {
    const spec = set.gates.find((g) => g.name === p.gate)!;
    return spec.type === 'job' ? now + 1000 : nextDue(spec, p, started);
  }));
  return { verdict: 'running', nextAt };
}

/** Calls the webhooks of a notify hook (`post-promotion`, `rollback`) once each; never throws. */
export async function notify(set: GateSet | undefined, hook: Hook, ctx: AnalysisContext, message: string): Promise<{ gate: string; measurement: Measurement }[]> {
  if (!NOTIFY_HOOKS.includes(hook)) return [];
  const out: { gate: string; measurement: Measurement }[] = [];
  for (const spec of gatesAt(set, hook)) {
    if (spec.type !== 'webhook') continue;
    try {
      out.push({ gate: spec.name, measurement: await webhook(spec, hook, ctx, message) });
    } catch (err) {
      out.push({ gate: spec.name, measurement: { at: new Date(ctx.now()).toISOString(), phase: 'error', message: (err as Error).message } });
    }
  }
  return out;
}

async function measure(set: GateSet, spec: GateSpec, progress: GateProgress, stage: StageState, ctx: AnalysisContext): Promise<{ progress: GateProgress; measurement?: Measurement }> {
  const at = new Date(ctx.now()).toISOString();
  try {
    switch (spec.type) {
      case 'metric': {
        const prom = await client(set, spec, ctx);
        const query = resolveQuery(spec.metric, target(ctx, ctx.canary, spec.intervalMs), set.metrics ?? flavourFor(ctx.router), ctx.router, 'interval');
        const result = await prom.instant(query, ctx.now());
        if (result.kind === 'none') return { progress, measurement: { at, phase: 'inconclusive', message: `${result.why} for ${ctx.canary} (never a pass)` } };
        const ok = meets(spec.condition, result.value);
        return { progress, measurement: { at, phase: ok ? 'pass' : 'fail', value: round(result.value), message: `${format(result.value)} ${ok ? 'meets' : 'does not meet'} ${spec.condition.text}` } };
      }
      case 'compare':
        return await compare(set, spec, progress, ctx, at);
      case 'webhook':
        return { progress, measurement: await webhook(spec, stage.hook, ctx, undefined) };
      case 'job': {
        const t = { app: ctx.app, namespace: ctx.namespace, version: ctx.canary, stable: ctx.stable, stage: stage.stage, header: ctx.header };
        const service = ctx.services[0];
        const job = buildJob(spec.name, spec.template, service === undefined ? t : { ...t, service: `${ctx.versionService(service.name, ctx.canary)}.${ctx.namespace}.svc` });
        const next = { ...progress, job: job.metadata.name };
        const m = await checkJob(ctx.kube, job, Date.parse(stage.startedAt), spec.timeoutMs, ctx.now());
        return m === undefined ? { progress: next } : { progress: next, measurement: m };
      }
    }
  } catch (err) {
    // A lost lease stops the drive; anything else is this measurement's error.
    if (!(err instanceof Error) || (err as { code?: string }).code === 'lease-lost') throw err;
    return { progress, measurement: { at, phase: 'error', message: err.message.replace(/\s*\n\s*/g, ' ') } };
  }
}

async function compare(set: GateSet, spec: Extract<GateSpec, { type: 'compare' }>, progress: GateProgress, ctx: AnalysisContext, at: string): Promise<{ progress: GateProgress; measurement: Measurement }> {
  const prom = await client(set, spec, ctx);
  const resolution = spec.resolutionMs ?? Math.max(2000, Math.round(spec.intervalMs / 5));
  const flavour = set.metrics ?? flavourFor(ctx.router);
  const end = ctx.now();
  const start = end - spec.intervalMs + resolution;
  const series = async (version: string): Promise<number[]> => {
    const q = resolveQuery(spec.metric, target(ctx, version, spec.intervalMs, resolution), flavour, ctx.router, 'window');
    return prom.range(q, start, end, resolution);
  };
  const [canary, stable] = await Promise.all([series(ctx.canary), series(ctx.stable)]);
  const samples = {
    canary: [...(progress.samples?.canary ?? []), ...canary.map(round)].slice(-200),
    stable: [...(progress.samples?.stable ?? []), ...stable.map(round)].slice(-200),
  };
  const next = { ...progress, samples };
  if (canary.length === 0 || stable.length === 0) return { progress: next, measurement: { at, phase: 'inconclusive', message: `no data for ${canary.length === 0 ? ctx.canary : ctx.stable} in the last ${promDuration(spec.intervalMs)}` } };
  if (progress.taken + 1 < spec.count) return { progress: next, measurement: { at, phase: 'pass', message: `${samples.canary.length} canary and ${samples.stable.length} stable samples so far` } };
  let j;
  try {
    j = judge(samples.canary, samples.stable, { confidence: spec.confidence, tolerance: spec.tolerance, direction: spec.direction });
  } catch (err) {
    return { progress: next, measurement: { at, phase: 'inconclusive', message: (err as Error).message } };
  }
  const phase = j.verdict === 'fail' || (j.verdict === 'marginal' && spec.marginal === 'fail') ? 'fail' : 'pass';
  return { progress: next, measurement: { at, phase, value: round(j.pValue), message: j.message } };
}

async function webhook(spec: Extract<GateSpec, { type: 'webhook' }>, hook: Hook, ctx: AnalysisContext, message: string | undefined): Promise<Measurement> {
  const headers = { ...spec.headers, ...(spec.headersSecret === undefined ? {} : await readSecretHeaders(ctx.kube, ctx.namespace, spec.headersSecret)) };
  const payload: WebhookPayload = { hook, app: ctx.app, namespace: ctx.namespace, from: ctx.stable, to: ctx.canary, weight: ctx.weight, phase: ctx.phase };
  if (ctx.release !== undefined) payload.release = ctx.release;
  if (ctx.step !== undefined) payload.step = ctx.step;
  if (message !== undefined) payload.message = message;
  const url = spec.url ?? (await readSecretKey(ctx.kube, ctx.namespace, spec.urlSecret!));
  const shown = spec.url === undefined ? `the URL in Secret ${spec.urlSecret!.name}` : redactUrl(spec.url);
  const r = await callWebhook({ url, timeoutMs: spec.timeoutMs, retries: spec.retries, backoffMs: 500, headers, slack: spec.slack }, payload, ctx.signal === undefined ? {} : { signal: ctx.signal });
  const m: Measurement = { at: new Date(ctx.now()).toISOString(), phase: r.result, message: `${shown}: ${r.message}` };
  if (r.status !== undefined) m.value = r.status;
  return m;
}

async function client(set: GateSet, spec: { prometheus?: GateSet['prometheus'] }, ctx: AnalysisContext): Promise<Prometheus> {
  const source = spec.prometheus ?? set.prometheus;
  if (source === undefined) throw new QueryError('no Prometheus address: give --prometheus, or prometheus: in the gates file');
  const token = source.tokenSecret === undefined ? undefined : await readSecretKey(ctx.kube, ctx.namespace, source.tokenSecret);
  return ctx.prometheus === undefined ? prometheusClient(source, ctx.kube, token) : ctx.prometheus(source, token);
}

function target(ctx: AnalysisContext, version: string, intervalMs: number, resolutionMs = intervalMs): QueryTarget {
  const services = ctx.services.map((s) => ctx.versionService(s.name, version));
  if (version === ctx.stable) services.push(...ctx.services.map((s) => s.name));
  return {
    app: ctx.app,
    namespace: ctx.namespace,
    version,
    canary: ctx.canary,
    stable: ctx.stable,
    services,
    ports: [...new Set(ctx.services.flatMap((s) => s.ports))],
    interval: promDuration(intervalMs),
    window: promDuration(Math.max(3 * resolutionMs, 6000)),
  };
}

function round(n: number): number {
  return Number.isFinite(n) ? Number(n.toPrecision(6)) : n;
}

function format(n: number): string {
  return String(round(n));
}
