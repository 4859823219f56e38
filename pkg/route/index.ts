export type { ParentGateway, RouteInput, RouteOutput, RouteProvider, RouterCapabilities, RouterName } from './types.ts';
export { isRouterName, provider, providers, routerNames } from './registry.ts';
export { httpRouteServiceNames, ingressServiceNames, readWeights, WEIGHTS_ANNOTATION } from './common.ts';
