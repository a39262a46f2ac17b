// The one compact description of every served type, from which the OpenAPI v2 and v3 documents and the
// strict unknown-field check are all built. Field names, JSON types and list/patch extensions follow
// k8s.io/api (core/v1, apps/v1, discovery/v1, networking/v1, coordination/v1, autoscaling/v1) and
// apimachinery meta/v1; descriptions are our own, short.

// A field's type:
//   s string · i32 / i64 integer · b boolean · n number · byte base64 string · time / mtime meta Time/MicroTime
//   ios IntOrString · qty Quantity · map map[string]string · bmap map[string]base64 · qmap map[string]Quantity
//   obj free-form object (any content accepted) · []T list of T · anything else a definition, `prefix.Name`.
export type FieldType = string;

export interface FieldExt {
  required?: boolean;
  mergeKey?: string; // x-kubernetes-patch-merge-key
  strategy?: string; // x-kubernetes-patch-strategy
  listType?: 'atomic' | 'set' | 'map'; // x-kubernetes-list-type
  mapKeys?: string[]; // x-kubernetes-list-map-keys
  mapType?: 'atomic' | 'granular'; // x-kubernetes-map-type
  enum?: string[];
}

export type Field = [type: FieldType, description: string, ext?: FieldExt];

export interface Definition {
  description: string;
  fields?: Record<string, Field>;
  // A definition that is not an object (Time, Quantity, IntOrString…): its schema type and format.
  scalar?: { type: string; format?: string };
  // Its OpenAPI v3 form when it differs: IntOrString and Quantity are oneOf types there, which is also
  // what makes kubectl explain print <IntOrString> rather than <string>.
  scalarV3?: Record<string, unknown>;
  gvk?: GroupVersionKind[];
  mapType?: 'atomic' | 'granular';
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

// Definition name prefixes used in the compact types, expanded to Kubernetes' OpenAPI definition names.
export const prefixes: Record<string, string> = {
  core: 'io.k8s.api.core.v1',
  apps: 'io.k8s.api.apps.v1',
  discovery: 'io.k8s.api.discovery.v1',
  networking: 'io.k8s.api.networking.v1',
  coordination: 'io.k8s.api.coordination.v1',
  autoscaling: 'io.k8s.api.autoscaling.v1',
  meta: 'io.k8s.apimachinery.pkg.apis.meta.v1',
  runtime: 'io.k8s.apimachinery.pkg.runtime',
  intstr: 'io.k8s.apimachinery.pkg.util.intstr',
  resource: 'io.k8s.apimachinery.pkg.api.resource',
};

export const aliases: Record<string, string> = {
  time: 'meta.Time',
  mtime: 'meta.MicroTime',
  ios: 'intstr.IntOrString',
  qty: 'resource.Quantity',
};

export function fullName(short: string): string {
  const dot = short.indexOf('.');
  const prefix = prefixes[short.slice(0, dot)];
  if (!prefix) throw new Error(`openapi model: unknown prefix in ${short}`);
  return `${prefix}.${short.slice(dot + 1)}`;
}

const merge = (key: string, mapKeys: string[] = [key]): FieldExt => ({
  mergeKey: key,
  strategy: 'merge',
  listType: 'map',
  mapKeys,
});
const atomic: FieldExt = { listType: 'atomic' };
const atomicMap: FieldExt = { mapType: 'atomic' };
const req: FieldExt = { required: true };
const protocols = ['SCTP', 'TCP', 'UDP'];

// Fields every top-level kind carries.
function objectFields(specType?: string, statusType?: string): Record<string, Field> {
  const f: Record<string, Field> = {
    apiVersion: ['s', 'The versioned schema of this representation of an object, e.g. v1 or apps/v1.'],
    kind: ['s', 'The REST resource this object represents, in CamelCase, e.g. Service.'],
    metadata: ['meta.ObjectMeta', "Standard object's metadata: name, namespace, labels, annotations…"],
  };
  if (specType) f.spec = [specType, 'The desired state of the object, as set by its owner.'];
  if (statusType) f.status = [statusType, 'The most recently observed state of the object; written by the system.'];
  return f;
}

function listDef(item: string, gvk: GroupVersionKind): Definition {
  return {
    description: `A list of ${gvk.kind.replace(/List$/, '')} objects.`,
    gvk: [gvk],
    fields: {
      apiVersion: ['s', 'The versioned schema of this representation of an object.'],
      items: [`[]${item}`, 'The objects of the list.', req],
      kind: ['s', 'The REST resource this object represents.'],
      metadata: ['meta.ListMeta', "Standard list metadata: resourceVersion and continue token."],
    },
  };
}

const core = (kind: string): GroupVersionKind[] => [{ group: '', version: 'v1', kind }];
const apps = (kind: string): GroupVersionKind[] => [{ group: 'apps', version: 'v1', kind }];

// The served groups whose Status/DeleteOptions/WatchEvent carry their GVK (as Kubernetes lists them).
const servedGroupVersions: [string, string][] = [
  ['', 'v1'],
  ['apps', 'v1'],
  ['autoscaling', 'v1'],
  ['coordination.k8s.io', 'v1'],
  ['discovery.k8s.io', 'v1'],
  ['networking.k8s.io', 'v1'],
];
const inEveryGroup = (kind: string): GroupVersionKind[] =>
  servedGroupVersions.map(([group, version]) => ({ group, version, kind }));

export const definitions: Record<string, Definition> = {
  // --- apimachinery ------------------------------------------------------------------------------------
  'meta.Time': {
    description: 'A timestamp in RFC 3339 form, to the second, e.g. 2024-01-02T15:04:05Z.',
    scalar: { type: 'string', format: 'date-time' },
  },
  'meta.MicroTime': {
    description: 'A timestamp in RFC 3339 form with microseconds.',
    scalar: { type: 'string', format: 'date-time' },
  },
  'intstr.IntOrString': {
    description: 'A value that is either an integer or a string, e.g. a port number or a port name.',
    scalar: { type: 'string', format: 'int-or-string' },
    scalarV3: { format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] },
  },
  'resource.Quantity': {
    description: 'A fixed-point amount such as 100m, 1.5, 64Mi or 2Gi.',
    scalar: { type: 'string' },
    scalarV3: { oneOf: [{ type: 'string' }, { type: 'number' }] },
  },
  'meta.FieldsV1': {
    description: 'The set of fields owned by a manager, in the FieldsV1 trie format.',
    scalar: { type: 'object' },
  },
  'runtime.RawExtension': {
    description: 'An embedded object of any kind.',
    scalar: { type: 'object' },
  },
  'meta.Patch': {
    description: 'The body of a PATCH request; its format depends on the Content-Type.',
    scalar: { type: 'object' },
  },
  'meta.ObjectMeta': {
    description: 'Metadata every persisted object has: identity, labels, annotations and bookkeeping.',
    fields: {
      annotations: ['map', 'Unstructured key/value data set by tools and users; not used for selection.'],
      creationTimestamp: ['time', 'When the server created the object. Set by the system; read-only.'],
      deletionGracePeriodSeconds: ['i64', 'Seconds allowed for graceful termination before the object is removed.'],
      deletionTimestamp: ['time', 'When the object will be (or started to be) deleted. Set by the server.'],
      finalizers: ['[]s', 'Keys that must be removed before the object is deleted from storage.', { strategy: 'merge', listType: 'set' }],
      generateName: ['s', 'A prefix the server uses to generate a unique name when name is empty.'],
      generation: ['i64', 'A sequence number for changes to the desired state. Set by the system.'],
      labels: ['map', 'Key/value pairs used to organise and select objects (e.g. by Service selectors).'],
      managedFields: ['[]meta.ManagedFieldsEntry', 'Which manager owns which fields (server-side apply bookkeeping).', atomic],
      name: ['s', 'The name, unique within a namespace. Required on create unless generateName is set.'],
      namespace: ['s', 'The namespace of a namespaced object; empty means "default" on create.'],
      ownerReferences: ['[]meta.OwnerReference', 'Objects this one depends on; garbage collection follows them.', merge('uid')],
      resourceVersion: ['s', 'An opaque version of the object, used for optimistic concurrency and watches.'],
      selfLink: ['s', 'Deprecated; not set.'],
      uid: ['s', 'The unique id of this object for its whole life. Set by the server.'],
    },
  },
  'meta.OwnerReference': {
    description: 'A reference to an owner object in the same namespace.',
    mapType: 'atomic',
    fields: {
      apiVersion: ['s', 'API version of the owner.', req],
      blockOwnerDeletion: ['b', 'If true, the owner cannot be deleted in the foreground before this object is removed.'],
      controller: ['b', 'If true, this owner is the managing controller.'],
      kind: ['s', 'Kind of the owner.', req],
      name: ['s', 'Name of the owner.', req],
      uid: ['s', 'UID of the owner.', req],
    },
  },
  'meta.ManagedFieldsEntry': {
    description: 'A workflow (manager) and the set of fields it owns.',
    fields: {
      apiVersion: ['s', 'The version of the fields set.'],
      fieldsType: ['s', 'The format of fieldsV1; always FieldsV1.'],
      fieldsV1: ['meta.FieldsV1', 'The fields owned.'],
      manager: ['s', 'The name of the manager.'],
      operation: ['s', 'Apply or Update.'],
      subresource: ['s', 'The subresource the fields were written through, if any.'],
      time: ['time', 'When the fields were last changed by this manager.'],
    },
  },
  'meta.ListMeta': {
    description: 'Metadata of a list response.',
    fields: {
      continue: ['s', 'A token to fetch the next page of a limited list.'],
      remainingItemCount: ['i64', 'How many items remain after this page, when known.'],
      resourceVersion: ['s', 'The revision the list was read at; watch from here.'],
      selfLink: ['s', 'Deprecated; not set.'],
    },
  },
  'meta.LabelSelector': {
    description: 'A label query: matchLabels and matchExpressions, all of which must hold.',
    mapType: 'atomic',
    fields: {
      matchExpressions: ['[]meta.LabelSelectorRequirement', 'Requirements on labels, ANDed.', atomic],
      matchLabels: ['map', 'Labels that must be present with exactly these values.'],
    },
  },
  'meta.LabelSelectorRequirement': {
    description: 'One requirement of a label selector: a key, an operator and values.',
    fields: {
      key: ['s', 'The label key.', req],
      operator: ['s', 'In, NotIn, Exists or DoesNotExist.', req],
      values: ['[]s', 'Values for In and NotIn; empty for Exists and DoesNotExist.', atomic],
    },
  },
  'meta.Condition': {
    description: 'One aspect of the current state of an object.',
    fields: {
      lastTransitionTime: ['time', 'When the status last changed.', req],
      message: ['s', 'A human-readable explanation.', req],
      observedGeneration: ['i64', 'The generation the condition was computed for.'],
      reason: ['s', 'A CamelCase, machine-readable reason for the last transition.', req],
      status: ['s', 'True, False or Unknown.', req],
      type: ['s', 'The type of the condition.', req],
    },
  },
  'meta.Status': {
    description: 'The result of an operation that does not return an object, such as an error.',
    gvk: core('Status'),
    fields: {
      apiVersion: ['s', 'The versioned schema of this representation of an object.'],
      code: ['i32', 'The HTTP status code.'],
      details: ['meta.StatusDetails', 'Extra data about the failure, such as the invalid fields.'],
      kind: ['s', 'The REST resource this object represents.'],
      message: ['s', 'A human-readable description of the status.'],
      metadata: ['meta.ListMeta', 'Standard list metadata.'],
      reason: ['s', 'A machine-readable reason, e.g. NotFound, AlreadyExists, Invalid.'],
      status: ['s', 'Success or Failure.'],
    },
  },
  'meta.StatusDetails': {
    description: 'Details of a failure: the object concerned and its causes.',
    fields: {
      causes: ['[]meta.StatusCause', 'The individual causes, e.g. one per invalid field.', atomic],
      group: ['s', 'The API group of the object.'],
      kind: ['s', 'The kind of the object.'],
      name: ['s', 'The name of the object.'],
      retryAfterSeconds: ['i32', 'Seconds to wait before retrying.'],
      uid: ['s', 'The UID of the object.'],
    },
  },
  'meta.StatusCause': {
    description: 'One cause of a failure.',
    fields: {
      field: ['s', 'The path of the field at fault, e.g. spec.ports[0].port.'],
      message: ['s', 'A human-readable description of the cause.'],
      reason: ['s', 'A machine-readable cause, e.g. FieldValueInvalid.'],
    },
  },
  'meta.DeleteOptions': {
    description: 'Options of a DELETE request.',
    gvk: inEveryGroup('DeleteOptions'),
    fields: {
      apiVersion: ['s', 'The versioned schema of this representation of an object.'],
      dryRun: ['[]s', 'If set to All, the deletion is validated but not persisted.', atomic],
      gracePeriodSeconds: ['i64', 'Seconds before the object is deleted; 0 deletes at once.'],
      ignoreStoreReadErrorWithClusterBreakingPotential: ['b', 'Delete even if the stored object cannot be read.'],
      kind: ['s', 'The REST resource this object represents.'],
      orphanDependents: ['b', 'Deprecated: use propagationPolicy.'],
      preconditions: ['meta.Preconditions', 'Conditions the object must meet to be deleted.'],
      propagationPolicy: ['s', 'Orphan, Background or Foreground garbage collection of dependents.'],
    },
  },
  'meta.Preconditions': {
    description: 'Preconditions of a deletion.',
    fields: {
      resourceVersion: ['s', 'The object must have this resourceVersion.'],
      uid: ['s', 'The object must have this UID.'],
    },
  },
  'meta.WatchEvent': {
    description: 'One event of a watch stream.',
    gvk: inEveryGroup('WatchEvent'),
    fields: {
      object: ['runtime.RawExtension', 'The object (or a Status for ERROR events).', req],
      type: ['s', 'ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.', req],
    },
  },

  // --- core/v1 Namespace --------------------------------------------------------------------------------
  'core.Namespace': {
    description: 'Namespace provides a scope for names of namespaced objects.',
    gvk: core('Namespace'),
    fields: objectFields('core.NamespaceSpec', 'core.NamespaceStatus'),
  },
  'core.NamespaceSpec': {
    description: 'The desired state of a namespace.',
    fields: { finalizers: ['[]s', 'Values that must be empty before the namespace is removed from storage.', atomic] },
  },
  'core.NamespaceStatus': {
    description: 'The observed state of a namespace.',
    fields: {
      conditions: ['[]core.NamespaceCondition', 'The latest observations of the namespace state.', merge('type')],
      phase: ['s', 'Active, or Terminating while its content is deleted.', { enum: ['Active', 'Terminating'] }],
    },
  },
  'core.NamespaceCondition': {
    description: 'One aspect of the state of a namespace.',
    fields: conditionFields(),
  },
  'core.NamespaceList': listDef('core.Namespace', { group: '', version: 'v1', kind: 'NamespaceList' }),

  // --- core/v1 Service -----------------------------------------------------------------------------------
  'core.Service': {
    description: 'Service is a named abstraction of a network service: a port and a virtual IP in front of a set of pods chosen by a label selector.',
    gvk: core('Service'),
    fields: objectFields('core.ServiceSpec', 'core.ServiceStatus'),
  },
  'core.ServiceSpec': {
    description: 'The attributes a user creates on a Service.',
    fields: {
      allocateLoadBalancerNodePorts: ['b', 'Whether node ports are allocated for a LoadBalancer Service (default true).'],
      clusterIP: ['s', 'The virtual IP of the Service, allocated from the service CIDR unless set; "None" makes a headless Service. Immutable once set.'],
      clusterIPs: ['[]s', 'The virtual IPs of the Service, one per IP family; clusterIPs[0] equals clusterIP.', atomic],
      externalIPs: ['[]s', 'IPs outside the cluster for which nodes also accept traffic to this Service.', atomic],
      externalName: ['s', 'The DNS name returned as a CNAME for a Service of type ExternalName.'],
      externalTrafficPolicy: ['s', 'Cluster or Local: whether external traffic may be sent to endpoints on other nodes.', { enum: ['Cluster', 'Local'] }],
      healthCheckNodePort: ['i32', 'The node port for health checks of a Local-policy LoadBalancer Service.'],
      internalTrafficPolicy: ['s', 'Cluster or Local: whether in-cluster traffic may be sent to endpoints on other nodes.', { enum: ['Cluster', 'Local'] }],
      ipFamilies: ['[]s', 'The IP families (IPv4, IPv6) of the Service, in order.', atomic],
      ipFamilyPolicy: ['s', 'SingleStack, PreferDualStack or RequireDualStack.', { enum: ['PreferDualStack', 'RequireDualStack', 'SingleStack'] }],
      loadBalancerClass: ['s', 'The load-balancer implementation this Service belongs to.'],
      loadBalancerIP: ['s', 'Deprecated: a requested load-balancer IP.'],
      loadBalancerSourceRanges: ['[]s', 'Client CIDRs allowed through the load balancer.', atomic],
      ports: ['[]core.ServicePort', 'The ports the Service exposes.', merge('port', ['port', 'protocol'])],
      publishNotReadyAddresses: ['b', 'Whether endpoints include pods that are not ready.'],
      selector: ['map', 'Pods with these labels are the endpoints of the Service; none means endpoints are managed outside.', atomicMap],
      sessionAffinity: ['s', 'None, or ClientIP to send a client to the same endpoint.', { enum: ['ClientIP', 'None'] }],
      sessionAffinityConfig: ['core.SessionAffinityConfig', 'Settings of session affinity.'],
      trafficDistribution: ['s', 'A preference for how traffic is spread over endpoints, e.g. PreferClose.'],
      type: ['s', 'How the Service is exposed: ClusterIP (default), NodePort, LoadBalancer or ExternalName.', { enum: ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] }],
    },
  },
  'core.ServicePort': {
    description: 'One port of a Service.',
    fields: {
      appProtocol: ['s', 'The application protocol of this port, a hint for implementations.'],
      name: ['s', 'The name of the port; required when the Service has more than one.'],
      nodePort: ['i32', 'The port on every node for NodePort and LoadBalancer Services; allocated unless set.'],
      port: ['i32', 'The port the Service exposes.', req],
      protocol: ['s', 'TCP (default), UDP or SCTP.', { enum: protocols }],
      targetPort: ['ios', 'The port (number or container port name) on the pods; defaults to port.'],
    },
  },
  'core.SessionAffinityConfig': {
    description: 'Settings of session affinity.',
    fields: { clientIP: ['core.ClientIPConfig', 'Settings of ClientIP affinity.'] },
  },
  'core.ClientIPConfig': {
    description: 'Settings of ClientIP session affinity.',
    fields: { timeoutSeconds: ['i32', 'How long a client sticks to an endpoint (default 10800).'] },
  },
  'core.ServiceStatus': {
    description: 'The observed state of a Service.',
    fields: {
      conditions: ['[]meta.Condition', 'The current conditions of the Service.', merge('type')],
      loadBalancer: ['core.LoadBalancerStatus', 'The load balancer, if any.'],
    },
  },
  'core.LoadBalancerStatus': {
    description: 'The status of a load balancer.',
    fields: { ingress: ['[]core.LoadBalancerIngress', 'The ingress points of the load balancer.', atomic] },
  },
  'core.LoadBalancerIngress': {
    description: 'An ingress point of a load balancer.',
    fields: {
      hostname: ['s', 'A DNS name of the ingress point.'],
      ip: ['s', 'An IP of the ingress point.'],
      ipMode: ['s', 'VIP or Proxy.'],
      ports: ['[]core.PortStatus', 'The ports of the ingress point.', atomic],
    },
  },
  'core.PortStatus': {
    description: 'The status of one port.',
    fields: {
      error: ['s', 'Why the port is in error, if it is.'],
      port: ['i32', 'The port number.', req],
      protocol: ['s', 'The protocol.', { required: true, enum: protocols }],
    },
  },
  'core.ServiceList': listDef('core.Service', { group: '', version: 'v1', kind: 'ServiceList' }),

  // --- core/v1 Pod ---------------------------------------------------------------------------------------
  'core.Pod': {
    description: 'Pod is a group of containers run together on one node, sharing a network namespace.',
    gvk: core('Pod'),
    fields: objectFields('core.PodSpec', 'core.PodStatus'),
  },
  'core.PodSpec': {
    description: 'The desired state of a pod.',
    fields: {
      activeDeadlineSeconds: ['i64', 'Seconds the pod may run before it is failed.'],
      affinity: ['obj', 'Scheduling constraints relative to nodes and other pods.'],
      automountServiceAccountToken: ['b', 'Whether a service account token is mounted.'],
      containers: ['[]core.Container', 'The containers of the pod. At least one.', { ...merge('name'), required: true }],
      dnsConfig: ['core.PodDNSConfig', 'DNS settings merged with those from dnsPolicy.'],
      dnsPolicy: ['s', 'ClusterFirst (default), ClusterFirstWithHostNet, Default or None.', { enum: ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'] }],
      enableServiceLinks: ['b', 'Whether Service environment variables are injected (default true).'],
      ephemeralContainers: ['[]core.Container', 'Debugging containers added to a running pod.', merge('name')],
      hostAliases: ['[]core.HostAlias', 'Extra /etc/hosts entries.', merge('ip')],
      hostIPC: ['b', "Use the host's IPC namespace."],
      hostNetwork: ['b', "Use the host's network namespace."],
      hostPID: ['b', "Use the host's PID namespace."],
      hostUsers: ['b', "Use the host's user namespace."],
      hostname: ['s', 'The hostname of the pod; defaults to its name.'],
      imagePullSecrets: ['[]core.LocalObjectReference', 'Secrets used to pull images.', merge('name')],
      initContainers: ['[]core.Container', 'Containers run to completion, in order, before the others start.', merge('name')],
      nodeName: ['s', 'The node the pod is bound to; set by the scheduler or directly.'],
      nodeSelector: ['map', 'Labels a node must have for the pod to be scheduled there.', atomicMap],
      os: ['obj', 'The operating system the pod needs.'],
      overhead: ['qmap', 'Resources used by the pod sandbox.'],
      preemptionPolicy: ['s', 'Never or PreemptLowerPriority.'],
      priority: ['i32', 'The priority of the pod.'],
      priorityClassName: ['s', 'The priority class of the pod.'],
      readinessGates: ['[]core.PodReadinessGate', 'Extra conditions that must be true for the pod to be ready.', atomic],
      resourceClaims: ['[]obj', 'Dynamic resources the pod needs.', merge('name')],
      resources: ['core.ResourceRequirements', 'Resources of the whole pod.'],
      restartPolicy: ['s', 'Always (default), OnFailure or Never.', { enum: ['Always', 'Never', 'OnFailure'] }],
      runtimeClassName: ['s', 'The runtime class to run the pod with.'],
      schedulerName: ['s', 'The scheduler that places the pod.'],
      schedulingGates: ['[]obj', 'Gates that hold the pod back from scheduling.', merge('name')],
      securityContext: ['obj', 'Pod-level security attributes.'],
      serviceAccount: ['s', 'Deprecated alias of serviceAccountName.'],
      serviceAccountName: ['s', 'The service account the pod runs as.'],
      setHostnameAsFQDN: ['b', 'Whether the hostname is the fully qualified domain name.'],
      shareProcessNamespace: ['b', 'Whether containers share a PID namespace.'],
      subdomain: ['s', 'With hostname, gives the pod a DNS name <hostname>.<subdomain>.<namespace>.svc.'],
      terminationGracePeriodSeconds: ['i64', 'Seconds between SIGTERM and SIGKILL on deletion (default 30).'],
      tolerations: ['[]core.Toleration', 'Taints the pod tolerates.', atomic],
      topologySpreadConstraints: ['[]obj', 'How pods are spread across topology domains.', { mergeKey: 'topologyKey', strategy: 'merge', listType: 'map', mapKeys: ['topologyKey', 'whenUnsatisfiable'] }],
      volumes: ['[]core.Volume', 'Volumes the containers can mount.', { mergeKey: 'name', strategy: 'merge,retainKeys', listType: 'map', mapKeys: ['name'] }],
    },
  },
  'core.Container': {
    description: 'A process (an image with a command) run in a pod.',
    fields: {
      args: ['[]s', 'Arguments to the entrypoint; $(VAR) references are expanded.', atomic],
      command: ['[]s', 'The entrypoint; replaces the image ENTRYPOINT when set.', atomic],
      env: ['[]core.EnvVar', 'Environment variables of the container.', merge('name')],
      envFrom: ['[]core.EnvFromSource', 'Sources of environment variables (ConfigMaps, Secrets).', atomic],
      image: ['s', 'The container image.'],
      imagePullPolicy: ['s', 'Always, Never or IfNotPresent.', { enum: ['Always', 'IfNotPresent', 'Never'] }],
      lifecycle: ['obj', 'Hooks run after start and before stop.'],
      livenessProbe: ['core.Probe', 'The container is restarted when this probe fails.'],
      name: ['s', 'The name of the container, unique in the pod (a DNS label).', req],
      ports: ['[]core.ContainerPort', 'Ports the container exposes (informational; names can be used as Service targetPort).', merge('containerPort', ['containerPort', 'protocol'])],
      readinessProbe: ['core.Probe', 'The pod is removed from Service endpoints while this probe fails.'],
      resizePolicy: ['[]obj', 'How resources are resized in place.', atomic],
      resources: ['core.ResourceRequirements', 'Compute resources requested and limited.'],
      restartPolicy: ['s', 'For init containers: Always makes it a sidecar.'],
      securityContext: ['obj', 'Container-level security attributes.'],
      startupProbe: ['core.Probe', 'Other probes wait until this probe succeeds.'],
      stdin: ['b', 'Whether a stdin buffer is allocated.'],
      stdinOnce: ['b', 'Whether stdin is closed after the first attach.'],
      terminationMessagePath: ['s', 'A file whose content becomes the termination message.'],
      terminationMessagePolicy: ['s', 'File or FallbackToLogsOnError.'],
      tty: ['b', 'Whether a TTY is allocated.'],
      volumeDevices: ['[]obj', 'Block devices used by the container.', merge('devicePath')],
      volumeMounts: ['[]core.VolumeMount', 'Volumes mounted into the container.', merge('mountPath')],
      workingDir: ['s', 'The working directory; defaults to the image one.'],
    },
  },
  'core.EnvVar': {
    description: 'An environment variable of a container.',
    fields: {
      name: ['s', 'The name of the variable.', req],
      value: ['s', 'The value; $(VAR) references are expanded.'],
      valueFrom: ['obj', 'A source of the value (field, resource, ConfigMap or Secret key).'],
    },
  },
  'core.EnvFromSource': {
    description: 'A source of a set of environment variables.',
    fields: {
      configMapRef: ['obj', 'The ConfigMap to read.'],
      prefix: ['s', 'A prefix added to every name.'],
      secretRef: ['obj', 'The Secret to read.'],
    },
  },
  'core.ContainerPort': {
    description: 'A network port of a container.',
    fields: {
      containerPort: ['i32', 'The port number in the pod network namespace.', req],
      hostIP: ['s', 'The host IP to bind a host port to.'],
      hostPort: ['i32', 'The port on the host, if any.'],
      name: ['s', 'A name (IANA_SVC_NAME) that Services can refer to.'],
      protocol: ['s', 'TCP (default), UDP or SCTP.', { enum: protocols }],
    },
  },
  'core.Probe': {
    description: 'A health check run against a container.',
    fields: {
      exec: ['core.ExecAction', 'Run a command; exit status 0 is healthy.'],
      failureThreshold: ['i32', 'Consecutive failures for the probe to be failed (default 3).'],
      grpc: ['obj', 'A gRPC health check.'],
      httpGet: ['core.HTTPGetAction', 'An HTTP GET; 2xx and 3xx are healthy.'],
      initialDelaySeconds: ['i32', 'Seconds after start before the first probe.'],
      periodSeconds: ['i32', 'Seconds between probes (default 10).'],
      successThreshold: ['i32', 'Consecutive successes for the probe to pass (default 1).'],
      tcpSocket: ['core.TCPSocketAction', 'A TCP connection attempt.'],
      terminationGracePeriodSeconds: ['i64', 'Grace period used when the probe fails.'],
      timeoutSeconds: ['i32', 'Seconds before the probe times out (default 1).'],
    },
  },
  'core.ExecAction': {
    description: 'A command run in the container.',
    fields: { command: ['[]s', 'The command line; not run in a shell.', atomic] },
  },
  'core.HTTPGetAction': {
    description: 'An HTTP GET request.',
    fields: {
      host: ['s', 'The host to connect to; defaults to the pod IP.'],
      httpHeaders: ['[]obj', 'Extra request headers.', atomic],
      path: ['s', 'The path to request.'],
      port: ['ios', 'The port number or name.', req],
      scheme: ['s', 'HTTP (default) or HTTPS.'],
    },
  },
  'core.TCPSocketAction': {
    description: 'A TCP connection attempt.',
    fields: {
      host: ['s', 'The host to connect to; defaults to the pod IP.'],
      port: ['ios', 'The port number or name.', req],
    },
  },
  'core.ResourceRequirements': {
    description: 'Compute resource requests and limits.',
    fields: {
      claims: ['[]obj', 'Dynamic resource claims used.', { listType: 'map', mapKeys: ['name'] }],
      limits: ['qmap', 'The most of each resource the container may use.'],
      requests: ['qmap', 'The resources the container is guaranteed (and scheduled by).'],
    },
  },
  'core.VolumeMount': {
    description: 'A volume mounted into a container.',
    fields: {
      mountPath: ['s', 'Where the volume is mounted in the container.', req],
      mountPropagation: ['s', 'How mounts propagate between host and container.'],
      name: ['s', 'The name of the volume.', req],
      readOnly: ['b', 'Mount read-only.'],
      recursiveReadOnly: ['s', 'Whether read-only mounts are recursively read-only.'],
      subPath: ['s', 'A path within the volume to mount instead of its root.'],
      subPathExpr: ['s', 'Like subPath, with $(VAR) expansion.'],
    },
  },
  'core.Volume': {
    description: 'A named volume of a pod and its source.',
    fields: {
      name: ['s', 'The name of the volume (a DNS label), unique in the pod.', req],
      configMap: ['obj', 'A ConfigMap shown as files.'],
      downwardAPI: ['obj', 'Pod fields shown as files.'],
      emptyDir: ['obj', 'An empty directory that lives as long as the pod.'],
      ephemeral: ['obj', 'A volume provisioned for the pod.'],
      hostPath: ['obj', 'A directory of the host.'],
      image: ['obj', 'An OCI image mounted read-only.'],
      nfs: ['obj', 'An NFS share.'],
      persistentVolumeClaim: ['obj', 'A PersistentVolumeClaim.'],
      projected: ['obj', 'Several sources projected into one directory.'],
      secret: ['obj', 'A Secret shown as files.'],
    },
  },
  'core.LocalObjectReference': {
    description: 'A reference to an object in the same namespace, by name.',
    mapType: 'atomic',
    fields: { name: ['s', 'The name of the object.'] },
  },
  'core.HostAlias': {
    description: 'An /etc/hosts entry.',
    fields: {
      hostnames: ['[]s', 'Host names for the IP.', atomic],
      ip: ['s', 'The IP address.', req],
    },
  },
  'core.PodReadinessGate': {
    description: 'A pod condition type that must be true for the pod to be ready.',
    fields: { conditionType: ['s', 'The condition type.', req] },
  },
  'core.Toleration': {
    description: 'Allows the pod onto nodes with a matching taint.',
    fields: {
      effect: ['s', 'The taint effect to match; empty matches all.'],
      key: ['s', 'The taint key to match; empty with Exists matches all.'],
      operator: ['s', 'Exists or Equal (default).'],
      tolerationSeconds: ['i64', 'How long a NoExecute taint is tolerated.'],
      value: ['s', 'The taint value to match.'],
    },
  },
  'core.PodDNSConfig': {
    description: 'DNS settings of a pod.',
    fields: {
      nameservers: ['[]s', 'Extra name server IPs.', atomic],
      options: ['[]core.PodDNSConfigOption', 'resolv.conf options.', atomic],
      searches: ['[]s', 'Extra search domains.', atomic],
    },
  },
  'core.PodDNSConfigOption': {
    description: 'One resolv.conf option.',
    fields: { name: ['s', 'The option name.'], value: ['s', 'The option value.'] },
  },
  'core.PodStatus': {
    description: 'The observed state of a pod.',
    fields: {
      conditions: ['[]core.PodCondition', 'The current conditions of the pod (PodScheduled, Initialized, ContainersReady, Ready).', merge('type')],
      containerStatuses: ['[]core.ContainerStatus', 'The state of each container.', atomic],
      ephemeralContainerStatuses: ['[]core.ContainerStatus', 'The state of each ephemeral container.', atomic],
      hostIP: ['s', 'The IP of the node the pod runs on.'],
      hostIPs: ['[]core.HostIP', 'The IPs of the node.', { listType: 'atomic', mergeKey: 'ip', strategy: 'merge' }],
      initContainerStatuses: ['[]core.ContainerStatus', 'The state of each init container.', atomic],
      message: ['s', 'A human-readable message about the pod state.'],
      nominatedNodeName: ['s', 'The node nominated for the pod while preempting.'],
      observedGeneration: ['i64', 'The pod generation this status was computed for.'],
      phase: ['s', 'Pending, Running, Succeeded, Failed or Unknown.', { enum: ['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'] }],
      podIP: ['s', 'The IP allocated to the pod.'],
      podIPs: ['[]core.PodIP', 'The IPs allocated to the pod, one per family.', merge('ip')],
      qosClass: ['s', 'Guaranteed, Burstable or BestEffort.'],
      reason: ['s', 'A CamelCase reason for the pod state, e.g. Evicted.'],
      resize: ['s', 'The state of an in-place resize.'],
      resourceClaimStatuses: ['[]obj', 'The status of resource claims.', merge('name')],
      startTime: ['time', 'When the kubelet acknowledged the pod.'],
    },
  },
  'core.PodCondition': {
    description: 'One aspect of the state of a pod.',
    fields: { ...conditionFields(), lastProbeTime: ['time', 'When the condition was last probed.'], observedGeneration: ['i64', 'The pod generation the condition was computed for.'] },
  },
  'core.PodIP': { description: 'An IP of a pod.', fields: { ip: ['s', 'The IP address.', req] } },
  'core.HostIP': { description: 'An IP of a node.', fields: { ip: ['s', 'The IP address.', req] } },
  'core.ContainerStatus': {
    description: 'The state of one container.',
    fields: {
      allocatedResources: ['qmap', 'Resources allocated to the container.'],
      allocatedResourcesStatus: ['[]obj', 'Health of allocated resources.', merge('name')],
      containerID: ['s', 'The runtime id of the container.'],
      image: ['s', 'The image the container runs.', req],
      imageID: ['s', 'The id of that image.', req],
      lastState: ['core.ContainerState', 'The previous state, e.g. how it last terminated.'],
      name: ['s', 'The name of the container.', req],
      ready: ['b', 'Whether the readiness probe passes.', req],
      resources: ['obj', 'The resources actually configured.'],
      restartCount: ['i32', 'How many times the container was restarted.', req],
      started: ['b', 'Whether the startup probe passed.'],
      state: ['core.ContainerState', 'The current state.'],
      stopSignal: ['s', 'The signal sent to stop the container.'],
      user: ['obj', 'The user identity of the process.'],
      volumeMounts: ['[]obj', 'Mounts of the container.', merge('mountPath')],
    },
  },
  'core.ContainerState': {
    description: 'The state of a container: exactly one of waiting, running, terminated.',
    fields: {
      running: ['core.ContainerStateRunning', 'The container is running.'],
      terminated: ['core.ContainerStateTerminated', 'The container has exited.'],
      waiting: ['core.ContainerStateWaiting', 'The container is not yet running.'],
    },
  },
  'core.ContainerStateRunning': {
    description: 'A running container.',
    fields: { startedAt: ['time', 'When the container last started.'] },
  },
  'core.ContainerStateTerminated': {
    description: 'An exited container.',
    fields: {
      containerID: ['s', 'The runtime id of the container.'],
      exitCode: ['i32', 'The exit status.', req],
      finishedAt: ['time', 'When it exited.'],
      message: ['s', 'A message about the exit.'],
      reason: ['s', 'A reason, e.g. Completed, Error, OOMKilled.'],
      signal: ['i32', 'The signal that ended it, if any.'],
      startedAt: ['time', 'When it started.'],
    },
  },
  'core.ContainerStateWaiting': {
    description: 'A container not yet running.',
    fields: {
      message: ['s', 'A message about why it is waiting.'],
      reason: ['s', 'Why it is waiting, e.g. ContainerCreating, CrashLoopBackOff, ErrImagePull.'],
    },
  },
  'core.PodTemplateSpec': {
    description: 'The pods a controller creates: their metadata and spec.',
    fields: {
      metadata: ['meta.ObjectMeta', 'Metadata of the created pods, e.g. their labels.'],
      spec: ['core.PodSpec', 'The spec of the created pods.'],
    },
  },
  'core.PodList': listDef('core.Pod', { group: '', version: 'v1', kind: 'PodList' }),

  // --- core/v1 Endpoints, Event, ObjectReference ----------------------------------------------------------
  'core.Endpoints': {
    description: 'Endpoints is the legacy list of addresses backing a Service (superseded by EndpointSlice).',
    gvk: core('Endpoints'),
    fields: {
      ...objectFields(),
      subsets: ['[]core.EndpointSubset', 'Groups of addresses sharing the same ports.', atomic],
    },
  },
  'core.EndpointSubset': {
    description: 'Addresses that share a set of ports.',
    fields: {
      addresses: ['[]core.EndpointAddress', 'Ready addresses.', atomic],
      notReadyAddresses: ['[]core.EndpointAddress', 'Addresses not ready yet.', atomic],
      ports: ['[]core.EndpointPort', 'The ports of these addresses.', atomic],
    },
  },
  'core.EndpointAddress': {
    description: 'One endpoint address.',
    mapType: 'atomic',
    fields: {
      hostname: ['s', 'The hostname of the endpoint.'],
      ip: ['s', 'The IP of the endpoint.', req],
      nodeName: ['s', 'The node hosting the endpoint.'],
      targetRef: ['core.ObjectReference', 'The object (usually a pod) behind the address.'],
    },
  },
  'core.EndpointPort': {
    description: 'One port of an endpoint.',
    mapType: 'atomic',
    fields: {
      appProtocol: ['s', 'The application protocol.'],
      name: ['s', 'The name, matching the Service port name.'],
      port: ['i32', 'The port number.', req],
      protocol: ['s', 'TCP (default), UDP or SCTP.', { enum: protocols }],
    },
  },
  'core.EndpointsList': listDef('core.Endpoints', { group: '', version: 'v1', kind: 'EndpointsList' }),
  'core.ObjectReference': {
    description: 'A reference to another object.',
    mapType: 'atomic',
    fields: {
      apiVersion: ['s', 'API version of the referent.'],
      fieldPath: ['s', 'A part of the referent, e.g. spec.containers{name}.'],
      kind: ['s', 'Kind of the referent.'],
      name: ['s', 'Name of the referent.'],
      namespace: ['s', 'Namespace of the referent.'],
      resourceVersion: ['s', 'The resourceVersion referred to.'],
      uid: ['s', 'UID of the referent.'],
    },
  },
  'core.Event': {
    description: 'Event is a report of something that happened to an object.',
    gvk: core('Event'),
    fields: {
      ...objectFields(),
      action: ['s', 'What was done, or failed.'],
      count: ['i32', 'How many times it happened.'],
      eventTime: ['mtime', 'When it first happened, with microseconds.'],
      firstTimestamp: ['time', 'When it was first recorded.'],
      involvedObject: ['core.ObjectReference', 'The object the event is about.', req],
      lastTimestamp: ['time', 'When it was last recorded.'],
      message: ['s', 'A human-readable description.'],
      reason: ['s', 'A short CamelCase reason.'],
      related: ['core.ObjectReference', 'A second object involved, if any.'],
      reportingComponent: ['s', 'The controller that reported the event.'],
      reportingInstance: ['s', 'The instance of that controller.'],
      series: ['core.EventSeries', 'Data about a series of recurring events.'],
      source: ['core.EventSource', 'The component reporting the event.'],
      type: ['s', 'Normal or Warning.'],
    },
  },
  'core.EventSeries': {
    description: 'A series of recurring events.',
    fields: { count: ['i32', 'Occurrences so far.'], lastObservedTime: ['mtime', 'The last occurrence.'] },
  },
  'core.EventSource': {
    description: 'The reporter of an event.',
    fields: { component: ['s', 'The reporting component.'], host: ['s', 'The node name of the reporter.'] },
  },
  'core.EventList': listDef('core.Event', { group: '', version: 'v1', kind: 'EventList' }),

  // --- core/v1 Node ------------------------------------------------------------------------------------------
  'core.Node': {
    description: 'Node is a worker machine that runs pods.',
    gvk: core('Node'),
    fields: objectFields('core.NodeSpec', 'core.NodeStatus'),
  },
  'core.NodeSpec': {
    description: 'The desired state of a node.',
    fields: {
      configSource: ['obj', 'Deprecated.'],
      externalID: ['s', 'Deprecated.'],
      podCIDR: ['s', 'The pod IP range of the node.'],
      podCIDRs: ['[]s', 'The pod IP ranges of the node, one per family.', { strategy: 'merge', listType: 'set' }],
      providerID: ['s', 'The id of the node at the cloud provider.'],
      taints: ['[]core.Taint', 'Taints that repel pods without a matching toleration.', atomic],
      unschedulable: ['b', 'If true, no new pods are scheduled on the node (kubectl cordon).'],
    },
  },
  'core.Taint': {
    description: 'A taint of a node.',
    fields: {
      effect: ['s', 'NoSchedule, PreferNoSchedule or NoExecute.', req],
      key: ['s', 'The taint key.', req],
      timeAdded: ['time', 'When a NoExecute taint was added.'],
      value: ['s', 'The taint value.'],
    },
  },
  'core.NodeStatus': {
    description: 'The observed state of a node.',
    fields: {
      addresses: ['[]core.NodeAddress', 'The addresses of the node.', merge('type')],
      allocatable: ['qmap', 'Resources available to pods.'],
      capacity: ['qmap', 'Total resources of the node.'],
      conditions: ['[]core.NodeCondition', 'The current conditions of the node (Ready…).', merge('type')],
      config: ['obj', 'Deprecated.'],
      daemonEndpoints: ['core.NodeDaemonEndpoints', 'Endpoints of daemons on the node.'],
      features: ['obj', 'Features the node supports.'],
      images: ['[]obj', 'Images present on the node.', atomic],
      nodeInfo: ['core.NodeSystemInfo', 'Facts about the node (versions, OS).'],
      phase: ['s', 'Deprecated.'],
      runtimeHandlers: ['[]obj', 'Available runtime handlers.', atomic],
      volumesAttached: ['[]obj', 'Volumes attached to the node.', atomic],
      volumesInUse: ['[]s', 'Volumes in use on the node.', atomic],
    },
  },
  'core.NodeAddress': {
    description: 'An address of a node.',
    fields: {
      address: ['s', 'The address.', req],
      type: ['s', 'Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.', req],
    },
  },
  'core.NodeCondition': {
    description: 'One aspect of the state of a node.',
    fields: { ...conditionFields(), lastHeartbeatTime: ['time', 'When the condition was last reported.'] },
  },
  'core.NodeDaemonEndpoints': {
    description: 'Ports of daemons on the node.',
    fields: { kubeletEndpoint: ['core.DaemonEndpoint', 'The kubelet endpoint.'] },
  },
  'core.DaemonEndpoint': {
    description: 'A daemon port.',
    fields: { Port: ['i32', 'The port number.', req] },
  },
  'core.NodeSystemInfo': {
    description: 'Facts that identify a node.',
    fields: {
      architecture: ['s', 'The CPU architecture.', req],
      bootID: ['s', 'The boot id.', req],
      containerRuntimeVersion: ['s', 'The container runtime and its version.', req],
      kernelVersion: ['s', 'The kernel version (uname -r).', req],
      kubeProxyVersion: ['s', 'Deprecated.', req],
      kubeletVersion: ['s', 'The kubelet version.', req],
      machineID: ['s', 'The machine id.', req],
      operatingSystem: ['s', 'The operating system.', req],
      osImage: ['s', 'The OS image (/etc/os-release PRETTY_NAME).', req],
      swap: ['obj', 'Swap information.'],
      systemUUID: ['s', 'The system UUID.', req],
    },
  },
  'core.NodeList': listDef('core.Node', { group: '', version: 'v1', kind: 'NodeList' }),

  // --- core/v1 ConfigMap, Secret, ServiceAccount ---------------------------------------------------------
  'core.ConfigMap': {
    description: 'ConfigMap holds configuration data for pods to consume.',
    gvk: core('ConfigMap'),
    fields: {
      ...objectFields(),
      binaryData: ['bmap', 'Binary values, base64-encoded.'],
      data: ['map', 'Text values.'],
      immutable: ['b', 'If true, the data cannot be changed.'],
    },
  },
  'core.ConfigMapList': listDef('core.ConfigMap', { group: '', version: 'v1', kind: 'ConfigMapList' }),
  'core.Secret': {
    description: 'Secret holds a small amount of sensitive data.',
    gvk: core('Secret'),
    fields: {
      ...objectFields(),
      data: ['bmap', 'Values, base64-encoded.'],
      immutable: ['b', 'If true, the data cannot be changed.'],
      stringData: ['map', 'Write-only text values merged into data.'],
      type: ['s', 'The type of secret, e.g. Opaque.'],
    },
  },
  'core.SecretList': listDef('core.Secret', { group: '', version: 'v1', kind: 'SecretList' }),
  'core.ServiceAccount': {
    description: 'ServiceAccount is an identity for processes that run in pods.',
    gvk: core('ServiceAccount'),
    fields: {
      ...objectFields(),
      automountServiceAccountToken: ['b', 'Whether pods get a token of this account mounted.'],
      imagePullSecrets: ['[]core.LocalObjectReference', 'Secrets for pulling images of pods using this account.', atomic],
      secrets: ['[]core.ObjectReference', 'Secrets pods of this account may use.', merge('name')],
    },
  },
  'core.ServiceAccountList': listDef('core.ServiceAccount', { group: '', version: 'v1', kind: 'ServiceAccountList' }),

  // --- discovery.k8s.io/v1 EndpointSlice --------------------------------------------------------------------
  'discovery.EndpointSlice': {
    description: 'EndpointSlice is a subset of the endpoints of a Service.',
    gvk: [{ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' }],
    fields: {
      ...objectFields(),
      addressType: ['s', 'IPv4, IPv6 or FQDN: the type of every address in the slice.', { required: true, enum: ['FQDN', 'IPv4', 'IPv6'] }],
      endpoints: ['[]discovery.Endpoint', 'The endpoints of the slice (at most 1000).', { required: true, listType: 'atomic' }],
      ports: ['[]discovery.EndpointPort', 'The ports every endpoint exposes.', atomic],
    },
  },
  'discovery.Endpoint': {
    description: 'One endpoint.',
    fields: {
      addresses: ['[]s', 'The addresses of the endpoint (one is used).', { required: true, listType: 'set' }],
      conditions: ['discovery.EndpointConditions', 'ready, serving and terminating.'],
      deprecatedTopology: ['map', 'Deprecated topology labels.'],
      hints: ['discovery.EndpointHints', 'Hints for topology-aware routing.'],
      hostname: ['s', 'The hostname of the endpoint.'],
      nodeName: ['s', 'The node hosting the endpoint.'],
      targetRef: ['core.ObjectReference', 'The object behind the endpoint.'],
      zone: ['s', 'The zone of the endpoint.'],
    },
  },
  'discovery.EndpointConditions': {
    description: 'The state of an endpoint.',
    fields: {
      ready: ['b', 'Ready to receive traffic (serving and not terminating).'],
      serving: ['b', 'Passing readiness, whether terminating or not.'],
      terminating: ['b', 'The endpoint is terminating.'],
    },
  },
  'discovery.EndpointHints': {
    description: 'Topology hints of an endpoint.',
    fields: {
      forNodes: ['[]obj', 'Nodes that should use this endpoint.', atomic],
      forZones: ['[]obj', 'Zones that should use this endpoint.', atomic],
    },
  },
  'discovery.EndpointPort': {
    description: 'A port of the endpoints of a slice.',
    mapType: 'atomic',
    fields: {
      appProtocol: ['s', 'The application protocol.'],
      name: ['s', 'The name, matching the Service port name.'],
      port: ['i32', 'The port number; empty means all ports.'],
      protocol: ['s', 'TCP (default), UDP or SCTP.', { enum: protocols }],
    },
  },
  'discovery.EndpointSliceList': listDef('discovery.EndpointSlice', { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSliceList' }),

  // --- networking.k8s.io/v1 ServiceCIDR, IPAddress ----------------------------------------------------------
  'networking.ServiceCIDR': {
    description: 'ServiceCIDR is a range of IPs that Service ClusterIPs are allocated from.',
    gvk: [{ group: 'networking.k8s.io', version: 'v1', kind: 'ServiceCIDR' }],
    fields: objectFields('networking.ServiceCIDRSpec', 'networking.ServiceCIDRStatus'),
  },
  'networking.ServiceCIDRSpec': {
    description: 'The ranges of a ServiceCIDR.',
    fields: { cidrs: ['[]s', 'At most one IPv4 and one IPv6 CIDR. Immutable.', atomic] },
  },
  'networking.ServiceCIDRStatus': {
    description: 'The state of a ServiceCIDR.',
    fields: { conditions: ['[]meta.Condition', 'The current conditions (Ready).', merge('type')] },
  },
  'networking.ServiceCIDRList': listDef('networking.ServiceCIDR', { group: 'networking.k8s.io', version: 'v1', kind: 'ServiceCIDRList' }),
  'networking.IPAddress': {
    description: 'IPAddress records that one IP is allocated, and to which object; its name is the IP.',
    gvk: [{ group: 'networking.k8s.io', version: 'v1', kind: 'IPAddress' }],
    fields: objectFields('networking.IPAddressSpec'),
  },
  'networking.IPAddressSpec': {
    description: 'What an IPAddress is allocated to.',
    fields: { parentRef: ['networking.ParentReference', 'The object the IP is allocated to. Immutable.', req] },
  },
  'networking.ParentReference': {
    description: 'A reference to the object an IP belongs to.',
    fields: {
      group: ['s', 'The API group of the referent.'],
      name: ['s', 'The name of the referent.', req],
      namespace: ['s', 'The namespace of the referent.'],
      resource: ['s', 'The resource of the referent, e.g. services.', req],
    },
  },
  'networking.IPAddressList': listDef('networking.IPAddress', { group: 'networking.k8s.io', version: 'v1', kind: 'IPAddressList' }),

  // --- coordination.k8s.io/v1 Lease --------------------------------------------------------------------------
  'coordination.Lease': {
    description: 'Lease is a lock with a holder and an expiry, used for heartbeats and leader election.',
    gvk: [{ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' }],
    fields: objectFields('coordination.LeaseSpec'),
  },
  'coordination.LeaseSpec': {
    description: 'The holder and timing of a lease.',
    fields: {
      acquireTime: ['mtime', 'When the current holder acquired the lease.'],
      holderIdentity: ['s', 'The identity of the holder.'],
      leaseDurationSeconds: ['i32', 'How long the lease is valid after renewTime.'],
      leaseTransitions: ['i32', 'How many times the holder changed.'],
      preferredHolder: ['s', 'A holder that should take over.'],
      renewTime: ['mtime', 'When the holder last renewed the lease.'],
      strategy: ['s', 'The strategy for picking leaders.'],
    },
  },
  'coordination.LeaseList': listDef('coordination.Lease', { group: 'coordination.k8s.io', version: 'v1', kind: 'LeaseList' }),

  // --- apps/v1 Deployment, ReplicaSet; autoscaling/v1 Scale -------------------------------------------------
  'apps.Deployment': {
    description: 'Deployment manages ReplicaSets to run a number of identical pods and roll out changes.',
    gvk: apps('Deployment'),
    fields: objectFields('apps.DeploymentSpec', 'apps.DeploymentStatus'),
  },
  'apps.DeploymentSpec': {
    description: 'The desired state of a deployment.',
    fields: {
      minReadySeconds: ['i32', 'Seconds a new pod must be ready to count as available.'],
      paused: ['b', 'Whether the rollout is paused.'],
      progressDeadlineSeconds: ['i32', 'Seconds before a stalled rollout is reported (default 600).'],
      replicas: ['i32', 'The number of pods wanted (default 1).'],
      revisionHistoryLimit: ['i32', 'Old ReplicaSets kept for rollback (default 10).'],
      selector: ['meta.LabelSelector', 'Selects the pods of the deployment; must match the template labels. Immutable.', req],
      strategy: ['apps.DeploymentStrategy', 'How old pods are replaced by new ones.', { strategy: 'retainKeys' }],
      template: ['core.PodTemplateSpec', 'The pods to create.', req],
    },
  },
  'apps.DeploymentStrategy': {
    description: 'How a deployment replaces pods.',
    fields: {
      rollingUpdate: ['apps.RollingUpdateDeployment', 'Settings of the RollingUpdate strategy.'],
      type: ['s', 'RollingUpdate (default) or Recreate.', { enum: ['Recreate', 'RollingUpdate'] }],
    },
  },
  'apps.RollingUpdateDeployment': {
    description: 'Settings of a rolling update.',
    fields: {
      maxSurge: ['ios', 'Pods allowed above the desired count during an update (number or percent, default 25%).'],
      maxUnavailable: ['ios', 'Pods allowed to be unavailable during an update (number or percent, default 25%).'],
    },
  },
  'apps.DeploymentStatus': {
    description: 'The observed state of a deployment.',
    fields: {
      availableReplicas: ['i32', 'Pods available for at least minReadySeconds.'],
      collisionCount: ['i32', 'Count of hash collisions of the template.'],
      conditions: ['[]apps.DeploymentCondition', 'The current conditions (Available, Progressing).', merge('type')],
      observedGeneration: ['i64', 'The generation last acted on.'],
      readyReplicas: ['i32', 'Pods that are ready.'],
      replicas: ['i32', 'Pods targeted by the deployment.'],
      terminatingReplicas: ['i32', 'Pods that are terminating.'],
      unavailableReplicas: ['i32', 'Pods still needed for 100% availability.'],
      updatedReplicas: ['i32', 'Pods running the newest template.'],
    },
  },
  'apps.DeploymentCondition': {
    description: 'One aspect of the state of a deployment.',
    fields: { ...conditionFields(), lastUpdateTime: ['time', 'When the condition was last updated.'] },
  },
  'apps.DeploymentList': listDef('apps.Deployment', { group: 'apps', version: 'v1', kind: 'DeploymentList' }),
  'apps.ReplicaSet': {
    description: 'ReplicaSet keeps a number of identical pods running.',
    gvk: apps('ReplicaSet'),
    fields: objectFields('apps.ReplicaSetSpec', 'apps.ReplicaSetStatus'),
  },
  'apps.ReplicaSetSpec': {
    description: 'The desired state of a replica set.',
    fields: {
      minReadySeconds: ['i32', 'Seconds a new pod must be ready to count as available.'],
      replicas: ['i32', 'The number of pods wanted (default 1).'],
      selector: ['meta.LabelSelector', 'Selects the pods of the replica set.', req],
      template: ['core.PodTemplateSpec', 'The pods to create.'],
    },
  },
  'apps.ReplicaSetStatus': {
    description: 'The observed state of a replica set.',
    fields: {
      availableReplicas: ['i32', 'Pods available for at least minReadySeconds.'],
      conditions: ['[]apps.ReplicaSetCondition', 'The current conditions.', merge('type')],
      fullyLabeledReplicas: ['i32', 'Pods whose labels match the template labels.'],
      observedGeneration: ['i64', 'The generation last acted on.'],
      readyReplicas: ['i32', 'Pods that are ready.'],
      replicas: ['i32', 'Pods currently owned.', req],
      terminatingReplicas: ['i32', 'Pods that are terminating.'],
    },
  },
  'apps.ReplicaSetCondition': {
    description: 'One aspect of the state of a replica set.',
    fields: conditionFields(),
  },
  'apps.ReplicaSetList': listDef('apps.ReplicaSet', { group: 'apps', version: 'v1', kind: 'ReplicaSetList' }),
  'autoscaling.Scale': {
    description: 'Scale is the replica count of a scalable resource (the /scale subresource).',
    gvk: [{ group: 'autoscaling', version: 'v1', kind: 'Scale' }],
    fields: objectFields('autoscaling.ScaleSpec', 'autoscaling.ScaleStatus'),
  },
  'autoscaling.ScaleSpec': {
    description: 'The desired scale.',
    fields: { replicas: ['i32', 'The number of replicas wanted.'] },
  },
  'autoscaling.ScaleStatus': {
    description: 'The observed scale.',
    fields: {
      replicas: ['i32', 'The number of replicas observed.', req],
      selector: ['s', 'The label query for the pods, in string form.'],
    },
  },
};

function conditionFields(): Record<string, Field> {
  return {
    lastTransitionTime: ['time', 'When the status last changed.'],
    message: ['s', 'A human-readable explanation.'],
    reason: ['s', 'A CamelCase reason for the last transition.'],
    status: ['s', 'True, False or Unknown.', req],
    type: ['s', 'The type of the condition.', req],
  };
}
