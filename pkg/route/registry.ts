import { RenderError } from '../render/errors.ts';
import { gateway } from './gateway.ts';
import { nginx } from './nginx.ts';
import type { RouteProvider, RouterName } from './types.ts';

/** Every traffic provider, by name. */
export const providers: { readonly [N in RouterName]: RouteProvider } = { gateway, nginx };

/** The provider names, for flags and messages. */
export const routerNames: readonly RouterName[] = Object.keys(providers) as RouterName[];

/** The provider called `name`; an unknown name is an error listing the valid ones. */
export function provider(name: string): RouteProvider {
  if (!isRouterName(name)) throw new RenderError('bad-option', `unknown router "${name}"; valid routers: ${routerNames.join(', ')}`);
  return providers[name];
}

/** Whether `name` is a provider name. */
export function isRouterName(name: string): name is RouterName {
  return Object.hasOwn(providers, name);
}
