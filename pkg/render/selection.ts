import type { KubeObject } from './types.ts';
import { podLabels, serviceSelector } from './workload.ts';

/**
 * The Deployments whose pod template each Service's selector matches, in the order of
 * `deployments`: looked up in an index of the pods' label pairs built once, so a stream of
 * hundreds of Services and Deployments is not compared pair by pair. A Service without a
 * selector selects nothing. Label values match as the API server compares them, as strings;
 * a pod label that is not a string matches no selector.
 */
export function selections<T extends { readonly object: KubeObject }>(services: readonly T[], deployments: readonly T[]): Map<T, T[]> {
  const byPair = new Map<string, T[]>();
  const labels = new Map<T, Record<string, unknown>>();
  for (const dep of deployments) {
    const pod = podLabels(dep.object) as Record<string, unknown>;
    labels.set(dep, pod);
    for (const key of Object.keys(pod)) {
      const value = pod[key];
      if (typeof value !== 'string') continue;
      const pair = `${key}\0${value}`;
      const list = byPair.get(pair);
      if (list === undefined) byPair.set(pair, [dep]);
      else list.push(dep);
    }
  }
  const out = new Map<T, T[]>();
  for (const svc of services) {
    const selector = serviceSelector(svc.object);
    const keys = selector === undefined ? [] : Object.keys(selector);
    const first = keys[0];
    if (first === undefined) {
      out.set(svc, []);
      continue;
    }
    const candidates = byPair.get(`${first}\0${String(selector![first])}`) ?? [];
    out.set(svc, candidates.filter((dep) => {
      const pod = labels.get(dep)!;
      return keys.every((k) => pod[k] === String(selector![k]));
    }));
  }
  return out;
}
