// The Kubernetes API client clusterip's components use: REST calls and informers (list + watch + cache).
export { ApiClient, ApiError, resourcePath } from './client.ts';
export type { ClientConfig, PatchType, Query, ResourceRef, WatchHandle } from './client.ts';
export { Informer, objectKey } from './informer.ts';
export type { InformerEvent, InformerHandlers, InformerOptions } from './informer.ts';
