export type { Connection, KubeFlags } from './config.ts';
export { connect, parseRequestTimeout } from './config.ts';
// Type only: the client's value (and node:http/node:https with it) loads from ./open.ts, on demand.
export type { HttpKube } from './client.ts';
export { isKubeError, KubeError } from './errors.ts';
export type { KubeErrorCode } from './errors.ts';
export { FIELD_MANAGER, fieldManagerFor, HELM_FIELD_MANAGER } from './types.ts';
export type { Kube, ListOptions, ListResult, PatchType, WatchEvent } from './types.ts';
export { knownResource } from './resources.ts';
