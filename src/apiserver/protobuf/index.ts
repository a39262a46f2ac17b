// Decoding of Kubernetes protobuf request bodies (what kubectl 1.32+ sends for `kubectl create …`).
export { decodeProtobufObject, decodeEnvelope, ProtobufDecodeError } from './decode.ts';
export type { ProtobufEnvelope } from './decode.ts';

// The request Content-Type these bodies come with.
export const protobufContentType = 'application/vnd.kubernetes.protobuf';
