import type { Kube, KubeFlags } from '../kube/index.ts';
import { KubeError } from '../kube/index.ts';
import { FIRST_INSTALL, prepare, renderPrepared } from '../render/index.ts';
import type { ObservedState, RenderOptions, RenderResult } from '../render/index.ts';
import { observe } from './observe.ts';

/** Where the post-renderer's view of the cluster comes from. */
export type StateSource =
  | { kind: 'cluster'; flags: KubeFlags; open: (flags: KubeFlags) => Promise<Kube & { close?(): void }>; /** The caller owns the client: do not close it. */ keepOpen?: boolean }
  | { kind: 'offline' }
  | { kind: 'stable-version'; version: string };

/**
 * The post-renderer: reads the live state of the manifest's apps (read-only; never writes,
 * DESIGN.md invariant 1) and renders. When the cluster cannot be read it fails rather than
 * guessing, because a wrong guess would move production traffic.
 */
export async function postRender(input: string, options: RenderOptions, source: StateSource): Promise<RenderResult> {
  const prepared = prepare(input);
  const observed = await observedFor(prepared.apps, source);
  return renderPrepared(prepared, options, observed);
}

async function observedFor(apps: string[], source: StateSource): Promise<ObservedState> {
  if (source.kind === 'offline' || apps.length === 0) return FIRST_INSTALL;
  if (source.kind === 'stable-version') {
    return { apps: Object.fromEntries(apps.map((app) => [app, { stable: source.version, versions: {}, weights: {} }])) };
  }
  let kube: (Kube & { close?(): void }) | undefined;
  try {
    kube = await source.open(source.flags);
    return await observe(kube, kube.namespace, apps);
  } catch (err) {
    if (err instanceof KubeError) {
      throw new KubeError(err.code, `cannot read the live versions of ${apps.join(', ')} from the cluster (${err.message}); pass --offline for a first install or --stable-version <version>`, { cause: err });
    }
    throw err;
  } finally {
    if (source.keepOpen !== true) kube?.close?.();
  }
}
