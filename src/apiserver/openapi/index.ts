// OpenAPI documents for kubectl (validation, explain, apply's patch metadata) and strict field validation,
// all built from one compact model of the served types (model.ts).

import { createHash } from 'node:crypto';
import { buildV2, buildV3, servedGroupVersionPaths } from './document.ts';
import { encodeOpenAPIV2 } from './gnostic.ts';

export { unknownFields, strictDecodingMessage, modelFor } from './validate.ts';
export { servedResources, groupVersionPath } from './resources.ts';
export type { ServedResource } from './resources.ts';

type Json = Record<string, unknown>;

// The documents never change while the server runs: build each once, keep the JSON text for the hash.
let v2: Json | undefined;
let v2Protobuf: Uint8Array | undefined;
const v3 = new Map<string, { doc: Json; hash: string }>();

// GET /openapi/v2 as JSON (Swagger 2.0).
export function openapiV2(): Json {
  v2 ??= buildV2();
  return v2;
}

// The Accept type under which client-go asks for /openapi/v2; answer it with openapiV2Protobuf() and
// `Content-Type: application/octet-stream` (as the apiserver: Go's mime parser rejects the "@" in this one).
export const openapiV2ProtobufContentType = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

// GET /openapi/v2 in gnostic protobuf: what kubectl 1.27 and 1.28 need (they cannot read the JSON form).
export function openapiV2Protobuf(): Uint8Array {
  v2Protobuf ??= encodeOpenAPIV2(openapiV2());
  return v2Protobuf;
}

function v3Entry(gvPath: string): { doc: Json; hash: string } | undefined {
  let entry = v3.get(gvPath);
  if (!entry) {
    const doc = buildV3(gvPath);
    if (!doc) return undefined;
    // Like the apiserver, the hash is of the document's content, so clients can cache by URL.
    const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();
    entry = { doc, hash };
    v3.set(gvPath, entry);
  }
  return entry;
}

// GET /openapi/v3: the index of group-version documents.
export function openapiV3Paths(): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of servedGroupVersionPaths()) {
    const entry = v3Entry(gv);
    if (entry) paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${entry.hash}` };
  }
  return { paths };
}

// GET /openapi/v3/<groupVersionPath> (e.g. "api/v1", "apis/apps/v1"); undefined when not served (404).
export function openapiV3Document(groupVersionPath: string): Json | undefined {
  return v3Entry(groupVersionPath.replace(/^\/+|\/+$/g, ''))?.doc;
}

// The hash of a served v3 document (what /openapi/v3 puts in ?hash=), for ETag and caching headers.
export function openapiV3Hash(groupVersionPath: string): string | undefined {
  return v3Entry(groupVersionPath.replace(/^\/+|\/+$/g, ''))?.hash;
}
