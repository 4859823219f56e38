export type { Connection, KubeFlags } from './config.ts';
export { connect, parseRequestTimeout } from './config.ts';
export { HttpKube } from './client.ts';
export { isKubeError, KubeError } from './errors.ts';
export type { KubeErrorCode } from './errors.ts';
export { FIELD_MANAGER, fieldManagerFor, HELM_FIELD_MANAGER } from './types.ts';
export type { Kube, ListOptions, ListResult, PatchType, WatchEvent } from './types.ts';
export { knownResource } from './resources.ts';

import type { KubeFlags } from './config.ts';
import { connect } from './config.ts';
import { HttpKube } from './client.ts';

/** Connects with kubectl-style flags and returns a ready client. */
export async function openKube(flags: KubeFlags): Promise<HttpKube> {
  return new HttpKube(await connect(flags));
}
