import type { Kube, KubeFlags } from '../kube/index.ts';
import { KubeError } from '../kube/index.ts';
import { FIRST_INSTALL, prepare, renderPrepared } from '../render/index.ts';
import type { ObservedState, RenderOptions, RenderResult } from '../render/index.ts';
import { listLive, observeLive } from './observe.ts';
import type { LiveObjects } from './observe.ts';

/** Where the post-renderer's view of the cluster comes from. */
export type StateSource =
  | { kind: 'cluster'; flags: KubeFlags; open: (flags: KubeFlags) => Promise<Kube & { close?(now?: boolean): void }>; /** The caller owns the client: do not close it. */ keepOpen?: boolean }
  | { kind: 'offline' }
  | { kind: 'stable-version'; version: string };

/** The cluster as the post-renderer reads it: the client, and the namespace's objects on their way. */
interface Reading {
  kube: Promise<Kube & { close?(now?: boolean): void }>;
  live: Promise<LiveObjects>;
}

/**
 * The post-renderer: reads the live state of the manifest's apps (read-only; never writes,
 * DESIGN.md invariant 1) and renders. When the cluster cannot be read it fails rather than
 * guessing, because a wrong guess would move production traffic.
 *
 * The namespace's objects are listed while `input` is still arriving and being prepared:
 * what is listed does not depend on the manifest, so the connection and the list calls
 * overlap the work on the manifest instead of following it.
 */
export async function postRender(input: string | Uint8Array | Promise<string | Uint8Array>, options: RenderOptions, source: StateSource): Promise<RenderResult> {
  const reading = source.kind === 'cluster' ? startReading(source) : undefined;
  let used = false;
  try {
    const prepared = prepare(await input);
    used = reading !== undefined && prepared.apps.length > 0;
    const observed = await observedFor(prepared.apps, source, reading);
    return renderPrepared(prepared, options, observed);
  } finally {
    // A reading nobody needs (no apps, or the input failed) ends now: it must not hold up the exit.
    if (reading !== undefined && !(source.kind === 'cluster' && source.keepOpen === true)) void reading.kube.then((k) => k.close?.(!used), () => undefined);
  }
}

function startReading(source: Extract<StateSource, { kind: 'cluster' }>): Reading {
  const kube = source.open(source.flags);
  const live = kube.then((k) => listLive(k, k.namespace));
  // Not awaited when the manifest has no apps, or when reading it fails first.
  kube.catch(() => undefined);
  live.catch(() => undefined);
  return { kube, live };
}

async function observedFor(apps: string[], source: StateSource, reading: Reading | undefined): Promise<ObservedState> {
  if (source.kind === 'offline' || apps.length === 0 || reading === undefined) {
    if (source.kind === 'stable-version' && apps.length > 0) {
      return { apps: Object.fromEntries(apps.map((app) => [app, { stable: source.version, versions: {}, weights: {} }])) };
    }
    return FIRST_INSTALL;
  }
  try {
    const kube = await reading.kube;
    return await observeLive(kube, kube.namespace, apps, await reading.live);
  } catch (err) {
    if (err instanceof KubeError) {
      throw new KubeError(err.code, `cannot read the live versions of ${apps.join(', ')} from the cluster (${err.message}); pass --offline for a first install or --stable-version <version>`, { cause: err });
    }
    throw err;
  }
}
