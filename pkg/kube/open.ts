import type { KubeFlags } from './config.ts';
import { connect } from './config.ts';
import { HttpKube } from './client.ts';

/**
 * Connects with kubectl-style flags and returns a ready client. Import it dynamically:
 * it brings node:http and node:https (about 35 ms of CPU to load), which `--help`,
 * `version` and the offline post-renderer never need.
 */
export async function openKube(flags: KubeFlags): Promise<HttpKube> {
  return new HttpKube(await connect(flags));
}
