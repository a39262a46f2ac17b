// API formats benchmark: Table rendering of a 10,000-Service LIST (what `kubectl get svc` costs the server on
// top of the read), strict unknown-field checks, protobuf body decoding, and first-build time of the OpenAPI
// documents. Each figure is printed with its ratio to JSON.stringify of the same objects, measured in the same
// run (the cost every response pays anyway). Bounded: fixed counts, a few hundred ms in all.
import { toTable } from '../src/apiserver/tables/index.ts';
import { unknownFields, openapiV2, openapiV2Protobuf, openapiV3Document, openapiV3Paths } from '../src/apiserver/openapi/index.ts';
import { decodeProtobufObject } from '../src/apiserver/protobuf/index.ts';
import type { KubeObject } from '../src/api/index.ts';

const now = new Date('2026-01-10T12:00:00Z');
const services: KubeObject[] = Array.from({ length: 10_000 }, (_, i) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: `svc-${i}`, namespace: 'default', uid: `uid-${i}`, resourceVersion: String(i + 1), creationTimestamp: '2026-01-10T11:00:00Z', labels: { app: `app-${i % 50}` } },
  spec: { type: 'ClusterIP', clusterIP: `10.96.${i >> 8}.${i & 255}`, clusterIPs: [`10.96.${i >> 8}.${i & 255}`], selector: { app: `app-${i % 50}` }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] },
  status: { loadBalancer: {} },
}));

function time(label: string, runs: number, fn: () => unknown): number {
  fn(); // warm up
  const start = performance.now();
  for (let i = 0; i < runs; i++) fn();
  return (performance.now() - start) / runs;
}

const baseline = time('JSON.stringify 10k services', 5, () => JSON.stringify({ items: services }));
const table = time('toTable 10k services', 5, () => JSON.stringify(toTable('Service', services, { now })));
const strict = time('unknownFields 10k services', 5, () => { for (const s of services) unknownFields('v1', 'Service', s); });
const body = Buffer.from('6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b8010a1f0a0377656212001a0022002a003200380042005a0a0a0361707012037765621286010802120c0a0a0a0361707012037765621a6c0a1c0a0012001a0022002a003200380042005a0a0a036170701203776562124c122e0a056e67696e7812056e67696e782a00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200', 'hex');
const decode = time('decode 10k deployment bodies', 3, () => { for (let i = 0; i < 10_000; i++) decodeProtobufObject(body); });
const t0 = performance.now();
openapiV2();
openapiV2Protobuf();
openapiV3Paths();
openapiV3Document('api/v1');
const build = performance.now() - t0;

const row = (label: string, ms: number): void => console.log(`${label.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms   ${(ms / baseline).toFixed(2)}x JSON.stringify`);
console.log(`baseline: JSON.stringify of a 10,000-Service list: ${baseline.toFixed(1)} ms`);
row('Table (toTable + stringify), 10k Services', table);
row('strict unknown-field check, 10k Services', strict);
row('protobuf decode, 10k Deployment bodies', decode);
row('OpenAPI v2 + gnostic + v3 first build', build);
