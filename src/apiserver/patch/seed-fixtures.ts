// The seed manifest (a Service and a Pod) as kubectl client-side apply creates it, and the objects the API
// server has after defaulting: shared by the patch and managed-fields tests.
import type { JsonObject } from './json.ts';

const lastApplied = (o: JsonObject): string => `${JSON.stringify(o)}\n`;

export const serviceManifest: JsonObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { annotations: {}, name: 'nginx-service', namespace: 'default' },
  spec: { ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], selector: { app: 'nginx' }, type: 'ClusterIP' },
};

export const podManifest: JsonObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { annotations: {}, labels: { app: 'nginx' }, name: 'nginx-pod', namespace: 'default' },
  spec: { containers: [{ image: 'nginx:1.23', name: 'nginx', ports: [{ containerPort: 80 }] }] },
};

export const serviceLastApplied = lastApplied(serviceManifest);
export const podLastApplied = lastApplied(podManifest);

/** The created Service after defaulting, before ClusterIP allocation (where managed fields are tracked). */
export function defaultedService(): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'nginx-service',
      namespace: 'default',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': serviceLastApplied },
    },
    spec: {
      ports: [{ protocol: 'TCP', port: 80, targetPort: 80 }],
      selector: { app: 'nginx' },
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
    },
    status: { loadBalancer: {} },
  };
}

/** The stored Service: allocation and server metadata added. */
export function storedService(managedFields: JsonObject[]): JsonObject {
  const s = defaultedService();
  Object.assign(s.metadata as JsonObject, {
    uid: '6f1c2b1e-0000-4000-8000-000000000001',
    resourceVersion: '10',
    creationTimestamp: '2026-01-01T00:00:00Z',
    managedFields,
  });
  Object.assign(s.spec as JsonObject, {
    clusterIP: '10.96.0.10',
    clusterIPs: ['10.96.0.10'],
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
  });
  return s;
}

/** The created Pod after defaulting (before admission plugins and scheduling). */
export function defaultedPod(): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'nginx-pod',
      namespace: 'default',
      labels: { app: 'nginx' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': podLastApplied },
    },
    spec: {
      containers: [
        {
          name: 'nginx',
          image: 'nginx:1.23',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          resources: {},
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      securityContext: {},
      schedulerName: 'default-scheduler',
      enableServiceLinks: true,
    },
    status: {},
  };
}

/** managedFields Kubernetes records for `kubectl apply` creating the seed Service (read off a real cluster). */
export const serviceCreateFields: JsonObject = {
  'f:metadata': {
    'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} },
  },
  'f:spec': {
    'f:internalTrafficPolicy': {},
    'f:ports': {
      '.': {},
      'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:protocol': {}, 'f:targetPort': {} },
    },
    'f:selector': {},
    'f:sessionAffinity': {},
    'f:type': {},
  },
};

/** …and the seed Pod. */
export const podCreateFields: JsonObject = {
  'f:metadata': {
    'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} },
    'f:labels': { '.': {}, 'f:app': {} },
  },
  'f:spec': {
    'f:containers': {
      'k:{"name":"nginx"}': {
        '.': {},
        'f:image': {},
        'f:imagePullPolicy': {},
        'f:name': {},
        'f:ports': {
          '.': {},
          'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} },
        },
        'f:resources': {},
        'f:terminationMessagePath': {},
        'f:terminationMessagePolicy': {},
      },
    },
    'f:dnsPolicy': {},
    'f:enableServiceLinks': {},
    'f:restartPolicy': {},
    'f:schedulerName': {},
    'f:securityContext': {},
    'f:terminationGracePeriodSeconds': {},
  },
};

export const t0 = '2026-01-01T00:00:00Z';
export const t1 = '2026-01-01T00:05:00Z';
export const t2 = '2026-01-01T00:10:00Z';

export function csaEntry(fieldsV1: JsonObject, time = t0): JsonObject {
  return { manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', time, fieldsType: 'FieldsV1', fieldsV1 };
}
