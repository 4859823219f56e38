export type { ChartRouting, KindRef, ParentGateway, RouteInput, RouteOutput, RouteProvider, RouterCapabilities, RouterName } from './types.ts';
export type { RouterChoice, RouterQuery } from './registry.ts';
export { describeDetection, isAnyRoute, isRouterName, kindKey, provider, providers, routeHosts, routeKinds, routerNames, routeServices, selectRouter, servedRouters } from './registry.ts';
export { checkPlan, effectiveShare, replicasForShare, ROUTER_ANNOTATION, routeTraffic, spansVersions, STABLE_VERSION_ANNOTATION, stableAnnotations, stableServiceFor } from './capabilities.ts';
export { ingressServiceNames, readWeights, WEIGHTS_ANNOTATION } from './common.ts';
