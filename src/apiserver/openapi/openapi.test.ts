import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  openapiV2,
  openapiV2Protobuf,
  openapiV3Document,
  openapiV3Paths,
  servedResources,
  strictDecodingMessage,
  unknownFields,
} from './index.ts';
import { readFields, decodeString } from '../protobuf/wire.ts';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => v as Json;

test('unknownFields reports the paths Kubernetes strict decoding reports', () => {
  const cases: { name: string; apiVersion: string; kind: string; obj: unknown; want: string[] }[] = [
    {
      name: 'seed service is clean',
      apiVersion: 'v1',
      kind: 'Service',
      obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx-service' }, spec: { selector: { app: 'nginx' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }], type: 'ClusterIP' } },
      want: [],
    },
    {
      name: 'unknown at every level, in document order',
      apiVersion: 'v1',
      kind: 'Service',
      obj: { apiVersion: 'v1', kind: 'Service', extra: 1, metadata: { name: 'a', labelz: {} }, spec: { ports: [{ port: 80 }, { port: 81, prot: 'TCP' }], foo: 'bar' }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4', vip: true }] } } },
      want: ['extra', 'metadata.labelz', 'spec.ports[1].prot', 'spec.foo', 'status.loadBalancer.ingress[0].vip'],
    },
    {
      name: 'maps take any key; free-form objects take anything',
      apiVersion: 'v1',
      kind: 'Pod',
      obj: { metadata: { name: 'p', labels: { 'any/key': 'v' }, annotations: { x: 'y' } }, spec: { nodeSelector: { a: 'b' }, affinity: { whatever: { deep: 1 } }, containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: '1' } }, env: [{ name: 'A', value: 'B', valueFrom: { fieldRef: { fieldPath: 'x' } } }] }] } },
      want: [],
    },
    {
      name: 'field names are case-sensitive',
      apiVersion: 'v1',
      kind: 'Pod',
      obj: { metadata: { Name: 'p' }, spec: { containers: [{ name: 'c', Image: 'i', ports: [{ containerPort: 80, hostport: 1 }] }] } },
      want: ['metadata.Name', 'spec.containers[0].Image', 'spec.containers[0].ports[0].hostport'],
    },
    {
      name: 'deployment template',
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      obj: { spec: { replicas: 1, selector: { matchLabels: { app: 'x' }, matchExpresions: [] }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i', imagePolicy: 'Always' }] } } } },
      want: ['spec.selector.matchExpresions', 'spec.template.spec.containers[0].imagePolicy'],
    },
    {
      name: 'endpointslice, lease, servicecidr, ipaddress, configmap',
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      obj: { addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true, healthy: true } }], ports: [{ port: 80 }] },
      want: ['endpoints[0].conditions.healthy'],
    },
    { name: 'lease', apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', obj: { spec: { holderIdentity: 'a', holder: 'b' } }, want: ['spec.holder'] },
    { name: 'servicecidr', apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR', obj: { spec: { cidrs: ['10.96.0.0/16'], cidr: 'x' } }, want: ['spec.cidr'] },
    { name: 'ipaddress', apiVersion: 'networking.k8s.io/v1', kind: 'IPAddress', obj: { spec: { parentRef: { resource: 'services', name: 'a', kind: 'Service' } } }, want: ['spec.parentRef.kind'] },
    { name: 'configmap', apiVersion: 'v1', kind: 'ConfigMap', obj: { data: { a: 'b' }, spec: {} }, want: ['spec'] },
    { name: 'scale', apiVersion: 'autoscaling/v1', kind: 'Scale', obj: { spec: { replicas: 3, replica: 1 } }, want: ['spec.replica'] },
    { name: 'delete options', apiVersion: 'v1', kind: 'DeleteOptions', obj: { propagationPolicy: 'Background', propagation: 'x' }, want: ['propagation'] },
    { name: 'unmodelled kind: nothing to say', apiVersion: 'example.com/v1', kind: 'Widget', obj: { anything: 1 }, want: [] },
    { name: 'wrong types are not unknown fields', apiVersion: 'v1', kind: 'Service', obj: { spec: 'x', metadata: [] }, want: [] },
  ];
  for (const c of cases) assert.deepEqual(unknownFields(c.apiVersion, c.kind, c.obj), c.want, c.name);
});

test('strictDecodingMessage uses Kubernetes wording', () => {
  assert.equal(
    strictDecodingMessage('v1', 'Service', ['spec.foo', 'spec.ports[0].bar']),
    'Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.foo", unknown field "spec.ports[0].bar"',
  );
  assert.equal(
    strictDecodingMessage('apps/v1', 'Deployment', ['spec.x']),
    'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.x"',
  );
});

function refsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsOf(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsOf(v, out);
    }
  }
  return out;
}

test('v3 index and documents: every served group version, refs resolve, PATCH takes fieldValidation', () => {
  const index = openapiV3Paths();
  assert.deepEqual(Object.keys(index.paths).sort(), [
    'api/v1',
    'apis/apps/v1',
    'apis/coordination.k8s.io/v1',
    'apis/discovery.k8s.io/v1',
    'apis/networking.k8s.io/v1',
  ]);
  for (const [gv, entry] of Object.entries(index.paths)) {
    assert.match(entry.serverRelativeURL, new RegExp(`^/openapi/v3/${gv.replace(/\./g, '\\.')}\\?hash=[0-9A-F]{128}$`));
    const doc = openapiV3Document(gv);
    assert.ok(doc, gv);
    assert.equal(doc.openapi, '3.0.0');
    const schemas = obj(obj(doc.components).schemas);
    for (const ref of refsOf(doc)) {
      assert.ok(ref.startsWith('#/components/schemas/'), ref);
      assert.ok(schemas[ref.slice('#/components/schemas/'.length)], `${gv}: ${ref} resolves`);
    }
    // As cli-runtime's queryParamVerifierV3: the first PATCH for the GVK must list fieldValidation.
    for (const res of servedResources.filter((r) => (r.group === '' ? 'api/v1' : `apis/${r.group}/v1`) === gv)) {
      const patches: Json[] = Object.values(obj(doc.paths))
        .map((item) => obj(item).patch as Json | undefined)
        .filter((op): op is Json => !!op && JSON.stringify(op['x-kubernetes-group-version-kind']) === JSON.stringify({ group: res.group, version: 'v1', kind: res.kind }));
      assert.ok(patches.length > 0, `${res.kind} has a PATCH operation`);
      for (const op of patches as Json[]) {
        assert.ok((op.parameters as Json[]).some((p) => p.name === 'fieldValidation' && p.in === 'query'), `${res.kind} PATCH lists fieldValidation`);
        assert.equal(op['x-kubernetes-action'], 'patch');
      }
    }
  }
  assert.equal(openapiV3Document('apis/batch/v1'), undefined);
  assert.equal(openapiV3Document('/api/v1/'), openapiV3Document('api/v1'));
});

test('schemas carry the extensions kubectl reads', () => {
  const doc = openapiV3Document('api/v1') ?? {};
  const schemas = obj(obj(doc.components).schemas);
  const svc = obj(schemas['io.k8s.api.core.v1.Service']);
  assert.deepEqual(svc['x-kubernetes-group-version-kind'], [{ group: '', version: 'v1', kind: 'Service' }]);
  const ports = obj(obj(obj(schemas['io.k8s.api.core.v1.ServiceSpec']).properties).ports);
  assert.equal(ports['x-kubernetes-patch-merge-key'], 'port');
  assert.equal(ports['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(ports['x-kubernetes-list-type'], 'map');
  assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['port', 'protocol']);
  assert.deepEqual(ports.items, { $ref: '#/components/schemas/io.k8s.api.core.v1.ServicePort' });
  const spec = obj(obj(svc.properties).spec);
  assert.deepEqual(spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.ServiceSpec' }]);
  assert.deepEqual(obj(schemas['io.k8s.api.core.v1.ServicePort']).required, ['port']);
  const containers = obj(obj(obj(schemas['io.k8s.api.core.v1.PodSpec']).properties).containers);
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  const volumes = obj(obj(obj(schemas['io.k8s.api.core.v1.PodSpec']).properties).volumes);
  assert.equal(volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  assert.deepEqual(obj(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).oneOf, [{ type: 'integer' }, { type: 'string' }]);
});

test('v2 document: definitions, paths with actions, refs resolve', () => {
  const doc = openapiV2();
  assert.equal(doc.swagger, '2.0');
  const defs = obj(doc.definitions);
  for (const ref of refsOf(doc)) {
    assert.ok(ref.startsWith('#/definitions/'), ref);
    assert.ok(defs[ref.slice('#/definitions/'.length)], `${ref} resolves`);
  }
  const paths = obj(doc.paths);
  const item = obj(paths['/api/v1/namespaces/{namespace}/services/{name}']);
  assert.equal(obj(item.get)['x-kubernetes-action'], 'get');
  assert.equal(obj(item.put)['x-kubernetes-action'], 'put');
  assert.equal(obj(item.delete)['x-kubernetes-action'], 'delete');
  const patch = obj(item.patch);
  assert.equal(patch['x-kubernetes-action'], 'patch');
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'Service' });
  assert.ok((patch.consumes as string[]).includes('application/strategic-merge-patch+json'));
  assert.ok((patch.parameters as Json[]).some((p) => p.name === 'fieldValidation'));
  assert.equal(obj(obj(paths['/api/v1/namespaces/{namespace}/services']).get)['x-kubernetes-action'], 'list');
  assert.equal(obj(obj(paths['/api/v1/namespaces/{namespace}/services']).delete)['x-kubernetes-action'], 'deletecollection');
  assert.deepEqual(obj(obj(paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']).patch)['x-kubernetes-group-version-kind'], {
    group: 'autoscaling',
    version: 'v1',
    kind: 'Scale',
  });
  assert.ok(paths['/api/v1/nodes/{name}/status']);
  assert.ok(paths['/api/v1/namespaces/{namespace}/pods/{name}/exec']);
  const svcSpec = obj(defs['io.k8s.api.core.v1.ServiceSpec']);
  assert.deepEqual(obj(obj(svcSpec.properties).ports).items, { $ref: '#/definitions/io.k8s.api.core.v1.ServicePort' });
});

test('v2 in gnostic protobuf carries the document', () => {
  const bytes = openapiV2Protobuf();
  const top = readFields(bytes);
  const str = (field: number): string[] => top.filter((f) => f.field === field && f.bytes).map((f) => decodeString(f.bytes as Uint8Array));
  assert.deepEqual(str(1), ['2.0']);
  // Definitions (9) { repeated NamedSchema (1) { name (1), value (2) } }
  const defs = top.find((f) => f.field === 9)?.bytes as Uint8Array;
  const named = readFields(defs).map((f) => readFields(f.bytes as Uint8Array));
  const names = named.map((n) => decodeString(n.find((f) => f.field === 1)?.bytes as Uint8Array));
  assert.deepEqual(names, Object.keys(obj(openapiV2().definitions)));
  // The Service schema's vendor extensions (31) carry the GVK as YAML text in Any.yaml (2).
  const service = named[names.indexOf('io.k8s.api.core.v1.Service')];
  const schema = readFields(service.find((f) => f.field === 2)?.bytes as Uint8Array);
  const ext = schema.filter((f) => f.field === 31).map((f) => readFields(f.bytes as Uint8Array));
  const gvk = ext.find((e) => decodeString(e.find((f) => f.field === 1)?.bytes as Uint8Array) === 'x-kubernetes-group-version-kind');
  assert.ok(gvk);
  const any = readFields(gvk.find((f) => f.field === 2)?.bytes as Uint8Array);
  assert.deepEqual(JSON.parse(decodeString(any.find((f) => f.field === 2)?.bytes as Uint8Array)), [{ group: '', version: 'v1', kind: 'Service' }]);
  // Paths (8) { repeated NamedPathItem (2) }: one per JSON path
  const paths = readFields(top.find((f) => f.field === 8)?.bytes as Uint8Array).filter((f) => f.field === 2);
  assert.equal(paths.length, Object.keys(obj(openapiV2().paths)).length);
});

// Every field of our shared types (src/api/types.ts) must be known to the schema, or strict validation would
// refuse (and Warn would drop) what other components write. The objects are typed, so a renamed field in
// types.ts breaks this test at compile time too.
test('the shared API types are fully covered by the schema', () => {
  const t = '2026-01-01T00:00:00Z';
  const meta = {
    name: 'a', generateName: 'a-', namespace: 'default', uid: 'u', resourceVersion: '1', generation: 1, creationTimestamp: t,
    deletionTimestamp: t, deletionGracePeriodSeconds: 30, labels: { a: 'b' }, annotations: { c: 'd' },
    ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'u2', controller: true, blockOwnerDeletion: true }],
    finalizers: ['f'],
    managedFields: [{ manager: 'm', operation: 'Update' as const, apiVersion: 'v1', time: t, fieldsType: 'FieldsV1' as const, fieldsV1: { 'f:metadata': {} }, subresource: 'status' }],
  };
  const probe = { httpGet: { path: '/', port: 80, host: 'h', scheme: 'HTTP' }, tcpSocket: { port: 'p', host: 'h' }, exec: { command: ['x'] }, initialDelaySeconds: 1, timeoutSeconds: 1, periodSeconds: 1, successThreshold: 1, failureThreshold: 1, terminationGracePeriodSeconds: 1 };
  const container: import('../../api/index.ts').Container = {
    name: 'c', image: 'i', command: ['a'], args: ['b'], workingDir: '/', env: [{ name: 'A', value: 'B', valueFrom: {} }],
    ports: [{ name: 'http', containerPort: 80, protocol: 'TCP', hostPort: 8080 }], readinessProbe: probe, livenessProbe: probe, startupProbe: probe,
    imagePullPolicy: 'Always', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', stdin: false, tty: false, restartPolicy: 'Always',
  };
  const state = { waiting: { reason: 'r', message: 'm' }, running: { startedAt: t }, terminated: { exitCode: 0, signal: 9, reason: 'r', message: 'm', startedAt: t, finishedAt: t, containerID: 'c' } };
  const status = { name: 'c', state, lastState: state, ready: true, started: true, restartCount: 0, image: 'i', imageID: 'id', containerID: 'c' };
  const pod: import('../../api/index.ts').Pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: meta,
    spec: {
      containers: [container], initContainers: [container], nodeName: 'n', nodeSelector: { a: 'b' }, hostname: 'h', subdomain: 's', restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['s'], options: [{ name: 'ndots', value: '5' }] },
      hostNetwork: false, schedulerName: 'default-scheduler', serviceAccountName: 'default', enableServiceLinks: true, priority: 0, tolerations: [{ key: 'k' }], readinessGates: [{ conditionType: 'x' }],
    },
    status: {
      phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: t, reason: 'r', message: 'm', observedGeneration: 1 }],
      hostIP: '10.0.0.1', hostIPs: [{ ip: '10.0.0.1' }], podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }], startTime: t, containerStatuses: [status], initContainerStatuses: [status],
      qosClass: 'BestEffort', nominatedNodeName: 'n', reason: 'r', message: 'm',
    },
  };
  const service: import('../../api/index.ts').Service = {
    apiVersion: 'v1', kind: 'Service', metadata: meta,
    spec: {
      type: 'ClusterIP', selector: { a: 'b' }, ports: [{ name: 'http', protocol: 'TCP', appProtocol: 'http', port: 80, targetPort: 'http', nodePort: 30080 }], clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'],
      ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', externalName: 'e', externalIPs: ['1.2.3.4'], sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10 } },
      internalTrafficPolicy: 'Cluster', externalTrafficPolicy: 'Cluster', publishNotReadyAddresses: false, trafficDistribution: 'PreferClose',
    },
    status: { loadBalancer: {}, conditions: [{ type: 't', status: 'True', lastTransitionTime: t, reason: 'r', message: 'm', observedGeneration: 1 }] },
  };
  const ref = { kind: 'Pod', namespace: 'default', name: 'p', uid: 'u', apiVersion: 'v1', resourceVersion: '1', fieldPath: 'spec' };
  const endpoints: import('../../api/index.ts').Endpoints = {
    apiVersion: 'v1', kind: 'Endpoints', metadata: meta,
    subsets: [{ addresses: [{ ip: '10.0.0.1', hostname: 'h', nodeName: 'n', targetRef: ref }], notReadyAddresses: [], ports: [{ name: 'http', port: 80, protocol: 'TCP', appProtocol: 'http' }] }],
  };
  const slice: import('../../api/index.ts').EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta, addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, hostname: 'h', targetRef: ref, nodeName: 'n', zone: 'z', hints: { forZones: [{ name: 'z' }] } }],
    ports: [{ name: 'http', port: 80, protocol: 'TCP', appProtocol: 'http' }],
  };
  const node: import('../../api/index.ts').Node = {
    apiVersion: 'v1', kind: 'Node', metadata: meta,
    spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'], unschedulable: false, taints: [{ key: 'k', effect: 'NoSchedule' }] },
    status: {
      conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: t, lastTransitionTime: t, reason: 'KubeletReady', message: 'm' }],
      addresses: [{ type: 'InternalIP', address: '10.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: { machineID: 'm', systemUUID: 's', bootID: 'b', kernelVersion: 'k', osImage: 'o', containerRuntimeVersion: 'c', kubeletVersion: 'v', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64' },
      capacity: { cpu: '1' }, allocatable: { cpu: '1' },
    },
  };
  const ns: import('../../api/index.ts').Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: meta, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active', conditions: [{ type: 't', status: 'True', lastTransitionTime: t, reason: 'r', message: 'm' }] } };
  const event: import('../../api/index.ts').Event = {
    apiVersion: 'v1', kind: 'Event', metadata: meta, involvedObject: ref, reason: 'r', message: 'm', source: { component: 'c', host: 'h' }, firstTimestamp: t, lastTimestamp: t,
    eventTime: '2026-01-01T00:00:00.000000Z', count: 1, type: 'Normal', reportingComponent: 'c', reportingInstance: 'i', action: 'a', series: { count: 2, lastObservedTime: '2026-01-01T00:00:00.000000Z' },
  };
  const cidr: import('../../api/index.ts').ServiceCIDR = { apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR', metadata: meta, spec: { cidrs: ['10.96.0.0/12'] }, status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t, reason: 'r', message: 'm' }] } };
  const ip: import('../../api/index.ts').IPAddress = { apiVersion: 'networking.k8s.io/v1', kind: 'IPAddress', metadata: meta, spec: { parentRef: { group: '', resource: 'services', namespace: 'default', name: 's' } } };
  const lease: import('../../api/index.ts').Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta, spec: { holderIdentity: 'h', leaseDurationSeconds: 40, renewTime: t, acquireTime: t, leaseTransitions: 0 } };
  const cm: import('../../api/index.ts').ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { a: 'b' }, binaryData: { c: 'AA==' }, immutable: false };
  const secret: import('../../api/index.ts').Secret = { apiVersion: 'v1', kind: 'Secret', metadata: meta, type: 'Opaque', data: { a: 'Yg==' }, stringData: { b: 'c' }, immutable: false };
  const sa: import('../../api/index.ts').ServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta, secrets: [ref], imagePullSecrets: [{ name: 'r' }], automountServiceAccountToken: true };
  const template = { metadata: meta, spec: pod.spec };
  const selector = { matchLabels: { a: 'b' }, matchExpressions: [{ key: 'k', operator: 'In' as const, values: ['v'] }] };
  const deploy: import('../../api/index.ts').Deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta,
    spec: { replicas: 1, selector, template, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } }, minReadySeconds: 0, revisionHistoryLimit: 10, paused: false, progressDeadlineSeconds: 600 },
    status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1, unavailableReplicas: 0, conditions: [{ type: 'Available', status: 'True', lastTransitionTime: t, reason: 'r', message: 'm' }] },
  };
  const rs: import('../../api/index.ts').ReplicaSet = {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta, spec: { replicas: 1, selector, template, minReadySeconds: 0 },
    status: { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1, conditions: [] },
  };
  for (const o of [pod, service, endpoints, slice, node, ns, event, cidr, ip, lease, cm, secret, sa, deploy, rs]) {
    assert.deepEqual(unknownFields(o.apiVersion ?? '', o.kind ?? '', o), [], `${o.kind}`);
  }
});
