// The API server: the core `(request) → response`, the HTTP listener over it, and the helpers other
// components use to build storage writes (the Service strategy's TxnOps).
export { createApiCore, errorResponse, isProxy, isStream } from './core.ts';
export type { ApiBodyResponse, ApiCore, ApiCoreOptions, ApiProxyResponse, ApiRequest, ApiResponse, ApiStreamResponse } from './core.ts';
export { startApiServer } from './server.ts';
export type { ApiServer, ApiServerOptions, RequestLogEntry } from './server.ts';
export { ApiError, fieldErrors, fieldErrorMessage } from './errors.ts';
export type { FieldError, GroupResource } from './errors.ts';
export { decodeFromStorage, encodeForStorage, findResource, resourceForKind, resources, storageKeyFor } from './resources.ts';
export type { ResourceInfo } from './resources.ts';
export { serverVersion } from './discovery.ts';
export { memoryBackend } from './memory-backend.ts';
export type { Allocation, AllocationContext, Strategy } from './registry/strategy.ts';
export { kubernetesEndpointObjects, reconcileKubernetesEndpoints } from './kubernetes-endpoints.ts';
export type { AdvertisedEndpoint } from './kubernetes-endpoints.ts';
