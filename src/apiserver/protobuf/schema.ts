// Our own protobuf schema of the kinds kubectl's create generators send (kubectl create namespace, service
// clusterip|nodeport|externalname, deployment, configmap, secret, serviceaccount; pods for completeness).
// Field numbers are those of k8s.io/api core/v1, apps/v1 and apimachinery meta/v1 generated.proto.
//
// A field's type: s string · i32 / i64 / b scalars · bytes (JSON: base64) · []T repeated · map (string→string)
// · bmap (string→bytes) · qmap (string→Quantity) · Time · IntOrString · Quantity · otherwise a message name.
// `always` marks scalars whose Go JSON tag has no omitempty, so a zero value still appears (as Kubernetes'
// JSON does); other scalars, lists and maps are omitted when empty. Messages appear whenever they are on the
// wire, which is exactly when Go would print them (non-pointer structs are always encoded, nil pointers never).

export interface FieldSchema {
  n: number;
  name: string;
  type: string;
  always?: boolean;
}

type Spec = [n: number, name: string, type: string, always?: 'always'];

function message(...fields: Spec[]): FieldSchema[] {
  return fields.map(([n, name, type, always]) => ({ n, name, type, ...(always ? { always: true } : {}) }));
}

export const messages: Record<string, FieldSchema[]> = {
  // apimachinery meta/v1
  ObjectMeta: message(
    [1, 'name', 's'],
    [2, 'generateName', 's'],
    [3, 'namespace', 's'],
    [4, 'selfLink', 's'],
    [5, 'uid', 's'],
    [6, 'resourceVersion', 's'],
    [7, 'generation', 'i64'],
    [8, 'creationTimestamp', 'Time'],
    [9, 'deletionTimestamp', 'Time'],
    [10, 'deletionGracePeriodSeconds', 'i64'],
    [11, 'labels', 'map'],
    [12, 'annotations', 'map'],
    [13, 'ownerReferences', '[]OwnerReference'],
    [14, 'finalizers', '[]s'],
    [17, 'managedFields', '[]ManagedFieldsEntry'],
  ),
  OwnerReference: message(
    [5, 'apiVersion', 's', 'always'],
    [1, 'kind', 's', 'always'],
    [3, 'name', 's', 'always'],
    [4, 'uid', 's', 'always'],
    [6, 'controller', 'b'],
    [7, 'blockOwnerDeletion', 'b'],
  ),
  ManagedFieldsEntry: message(
    [1, 'manager', 's'],
    [2, 'operation', 's'],
    [3, 'apiVersion', 's'],
    [4, 'time', 'Time'],
    [6, 'fieldsType', 's'],
    [7, 'fieldsV1', 'FieldsV1'],
    [8, 'subresource', 's'],
  ),
  LabelSelector: message([1, 'matchLabels', 'map'], [2, 'matchExpressions', '[]LabelSelectorRequirement']),
  LabelSelectorRequirement: message([1, 'key', 's', 'always'], [2, 'operator', 's', 'always'], [3, 'values', '[]s']),
  Condition: message(
    [1, 'type', 's', 'always'],
    [2, 'status', 's', 'always'],
    [3, 'observedGeneration', 'i64'],
    [4, 'lastTransitionTime', 'Time'],
    [5, 'reason', 's', 'always'],
    [6, 'message', 's', 'always'],
  ),

  // core/v1 Namespace
  Namespace: message([1, 'metadata', 'ObjectMeta'], [2, 'spec', 'NamespaceSpec'], [3, 'status', 'NamespaceStatus']),
  NamespaceSpec: message([1, 'finalizers', '[]s']),
  NamespaceStatus: message([1, 'phase', 's'], [2, 'conditions', '[]NamespaceCondition']),
  NamespaceCondition: message(
    [1, 'type', 's', 'always'],
    [2, 'status', 's', 'always'],
    [4, 'lastTransitionTime', 'Time'],
    [5, 'reason', 's'],
    [6, 'message', 's'],
  ),

  // core/v1 Service
  Service: message([1, 'metadata', 'ObjectMeta'], [2, 'spec', 'ServiceSpec'], [3, 'status', 'ServiceStatus']),
  ServiceSpec: message(
    [1, 'ports', '[]ServicePort'],
    [2, 'selector', 'map'],
    [3, 'clusterIP', 's'],
    [18, 'clusterIPs', '[]s'],
    [4, 'type', 's'],
    [5, 'externalIPs', '[]s'],
    [7, 'sessionAffinity', 's'],
    [8, 'loadBalancerIP', 's'],
    [9, 'loadBalancerSourceRanges', '[]s'],
    [10, 'externalName', 's'],
    [11, 'externalTrafficPolicy', 's'],
    [12, 'healthCheckNodePort', 'i32'],
    [13, 'publishNotReadyAddresses', 'b'],
    [14, 'sessionAffinityConfig', 'SessionAffinityConfig'],
    [19, 'ipFamilies', '[]s'],
    [17, 'ipFamilyPolicy', 's'],
    [20, 'allocateLoadBalancerNodePorts', 'b'],
    [21, 'loadBalancerClass', 's'],
    [22, 'internalTrafficPolicy', 's'],
    [23, 'trafficDistribution', 's'],
  ),
  ServicePort: message(
    [1, 'name', 's'],
    [2, 'protocol', 's'],
    [6, 'appProtocol', 's'],
    [3, 'port', 'i32', 'always'],
    [4, 'targetPort', 'IntOrString'],
    [5, 'nodePort', 'i32'],
  ),
  SessionAffinityConfig: message([1, 'clientIP', 'ClientIPConfig']),
  ClientIPConfig: message([1, 'timeoutSeconds', 'i32']),
  ServiceStatus: message([1, 'loadBalancer', 'LoadBalancerStatus'], [2, 'conditions', '[]Condition']),
  LoadBalancerStatus: message([1, 'ingress', '[]LoadBalancerIngress']),
  LoadBalancerIngress: message([1, 'ip', 's'], [2, 'hostname', 's'], [3, 'ipMode', 's']),

  // core/v1 Pod and its template
  Pod: message([1, 'metadata', 'ObjectMeta'], [2, 'spec', 'PodSpec'], [3, 'status', 'PodStatus']),
  PodTemplateSpec: message([1, 'metadata', 'ObjectMeta'], [2, 'spec', 'PodSpec']),
  PodSpec: message(
    [1, 'volumes', '[]Volume'],
    [20, 'initContainers', '[]Container'],
    [2, 'containers', '[]Container'],
    [3, 'restartPolicy', 's'],
    [4, 'terminationGracePeriodSeconds', 'i64'],
    [5, 'activeDeadlineSeconds', 'i64'],
    [6, 'dnsPolicy', 's'],
    [7, 'nodeSelector', 'map'],
    [8, 'serviceAccountName', 's'],
    [9, 'serviceAccount', 's'],
    [21, 'automountServiceAccountToken', 'b'],
    [10, 'nodeName', 's'],
    [11, 'hostNetwork', 'b'],
    [12, 'hostPID', 'b'],
    [13, 'hostIPC', 'b'],
    [27, 'shareProcessNamespace', 'b'],
    [15, 'imagePullSecrets', '[]LocalObjectReference'],
    [16, 'hostname', 's'],
    [17, 'subdomain', 's'],
    [19, 'schedulerName', 's'],
    [22, 'tolerations', '[]Toleration'],
    [24, 'priorityClassName', 's'],
    [25, 'priority', 'i32'],
    [28, 'readinessGates', '[]PodReadinessGate'],
    [29, 'runtimeClassName', 's'],
    [30, 'enableServiceLinks', 'b'],
    [31, 'preemptionPolicy', 's'],
    [35, 'setHostnameAsFQDN', 'b'],
    [37, 'hostUsers', 'b'],
  ),
  Container: message(
    [1, 'name', 's', 'always'],
    [2, 'image', 's'],
    [3, 'command', '[]s'],
    [4, 'args', '[]s'],
    [5, 'workingDir', 's'],
    [6, 'ports', '[]ContainerPort'],
    [19, 'envFrom', '[]EnvFromSource'],
    [7, 'env', '[]EnvVar'],
    [8, 'resources', 'ResourceRequirements'],
    [24, 'restartPolicy', 's'],
    [9, 'volumeMounts', '[]VolumeMount'],
    [10, 'livenessProbe', 'Probe'],
    [11, 'readinessProbe', 'Probe'],
    [22, 'startupProbe', 'Probe'],
    [13, 'terminationMessagePath', 's'],
    [20, 'terminationMessagePolicy', 's'],
    [14, 'imagePullPolicy', 's'],
    [16, 'stdin', 'b'],
    [17, 'stdinOnce', 'b'],
    [18, 'tty', 'b'],
  ),
  ContainerPort: message(
    [1, 'name', 's'],
    [2, 'hostPort', 'i32'],
    [3, 'containerPort', 'i32', 'always'],
    [4, 'protocol', 's'],
    [5, 'hostIP', 's'],
  ),
  EnvVar: message([1, 'name', 's', 'always'], [2, 'value', 's'], [3, 'valueFrom', 'EnvVarSource']),
  EnvVarSource: message(
    [1, 'fieldRef', 'ObjectFieldSelector'],
    [2, 'resourceFieldRef', 'ResourceFieldSelector'],
    [3, 'configMapKeyRef', 'KeySelector'],
    [4, 'secretKeyRef', 'KeySelector'],
  ),
  ObjectFieldSelector: message([1, 'apiVersion', 's'], [2, 'fieldPath', 's', 'always']),
  ResourceFieldSelector: message([1, 'containerName', 's'], [2, 'resource', 's', 'always'], [3, 'divisor', 'Quantity']),
  // ConfigMapKeySelector and SecretKeySelector share one shape: LocalObjectReference (1), key (2), optional (3).
  KeySelector: message([1, 'localObjectReference', 'LocalObjectReference'], [2, 'key', 's', 'always'], [3, 'optional', 'b']),
  EnvFromSource: message([1, 'prefix', 's'], [2, 'configMapRef', 'EnvSource'], [3, 'secretRef', 'EnvSource']),
  EnvSource: message([1, 'localObjectReference', 'LocalObjectReference'], [2, 'optional', 'b']),
  LocalObjectReference: message([1, 'name', 's']),
  ResourceRequirements: message([1, 'limits', 'qmap'], [2, 'requests', 'qmap']),
  VolumeMount: message(
    [1, 'name', 's', 'always'],
    [2, 'readOnly', 'b'],
    [7, 'recursiveReadOnly', 's'],
    [3, 'mountPath', 's', 'always'],
    [4, 'subPath', 's'],
    [5, 'mountPropagation', 's'],
    [6, 'subPathExpr', 's'],
  ),
  Volume: message([1, 'name', 's', 'always'], [2, 'volumeSource', 'VolumeSource']),
  VolumeSource: message([2, 'emptyDir', 'EmptyDirVolumeSource'], [6, 'secret', 'SecretVolumeSource'], [19, 'configMap', 'ConfigMapVolumeSource']),
  EmptyDirVolumeSource: message([1, 'medium', 's'], [2, 'sizeLimit', 'Quantity']),
  SecretVolumeSource: message([1, 'secretName', 's'], [3, 'defaultMode', 'i32'], [4, 'optional', 'b']),
  ConfigMapVolumeSource: message([1, 'localObjectReference', 'LocalObjectReference'], [3, 'defaultMode', 'i32'], [4, 'optional', 'b']),
  Probe: message(
    [1, 'handler', 'ProbeHandler'],
    [2, 'initialDelaySeconds', 'i32'],
    [3, 'timeoutSeconds', 'i32'],
    [4, 'periodSeconds', 'i32'],
    [5, 'successThreshold', 'i32'],
    [6, 'failureThreshold', 'i32'],
    [7, 'terminationGracePeriodSeconds', 'i64'],
  ),
  ProbeHandler: message([1, 'exec', 'ExecAction'], [2, 'httpGet', 'HTTPGetAction'], [3, 'tcpSocket', 'TCPSocketAction']),
  ExecAction: message([1, 'command', '[]s']),
  HTTPGetAction: message([1, 'path', 's'], [2, 'port', 'IntOrString', 'always'], [3, 'host', 's'], [4, 'scheme', 's']),
  TCPSocketAction: message([1, 'port', 'IntOrString', 'always'], [2, 'host', 's']),
  Toleration: message([1, 'key', 's'], [2, 'operator', 's'], [3, 'value', 's'], [4, 'effect', 's'], [5, 'tolerationSeconds', 'i64']),
  PodReadinessGate: message([1, 'conditionType', 's', 'always']),
  PodStatus: message([1, 'phase', 's'], [3, 'message', 's'], [4, 'reason', 's'], [5, 'hostIP', 's'], [6, 'podIP', 's']),

  // core/v1 ConfigMap, Secret, ServiceAccount
  ConfigMap: message([1, 'metadata', 'ObjectMeta'], [4, 'immutable', 'b'], [2, 'data', 'map'], [3, 'binaryData', 'bmap']),
  Secret: message(
    [1, 'metadata', 'ObjectMeta'],
    [5, 'immutable', 'b'],
    [2, 'data', 'bmap'],
    [4, 'stringData', 'map'],
    [3, 'type', 's'],
  ),
  ServiceAccount: message(
    [1, 'metadata', 'ObjectMeta'],
    [2, 'secrets', '[]ObjectReference'],
    [3, 'imagePullSecrets', '[]LocalObjectReference'],
    [4, 'automountServiceAccountToken', 'b'],
  ),
  ObjectReference: message(
    [1, 'kind', 's'],
    [2, 'namespace', 's'],
    [3, 'name', 's'],
    [4, 'uid', 's'],
    [5, 'apiVersion', 's'],
    [6, 'resourceVersion', 's'],
    [7, 'fieldPath', 's'],
  ),

  // apps/v1 Deployment, ReplicaSet
  Deployment: message([1, 'metadata', 'ObjectMeta'], [2, 'spec', 'DeploymentSpec'], [3, 'status', 'DeploymentStatus']),
  DeploymentSpec: message(
    [1, 'replicas', 'i32', 'always'],
    [2, 'selector', 'LabelSelector'],
    [3, 'template', 'PodTemplateSpec'],
    [4, 'strategy', 'DeploymentStrategy'],
    [5, 'minReadySeconds', 'i32'],
    [6, 'revisionHistoryLimit', 'i32', 'always'],
    [7, 'paused', 'b'],
    [9, 'progressDeadlineSeconds', 'i32', 'always'],
  ),
  DeploymentStrategy: message([1, 'type', 's'], [2, 'rollingUpdate', 'RollingUpdateDeployment']),
  RollingUpdateDeployment: message([1, 'maxUnavailable', 'IntOrString', 'always'], [2, 'maxSurge', 'IntOrString', 'always']),
  DeploymentStatus: message(
    [1, 'observedGeneration', 'i64'],
    [2, 'replicas', 'i32'],
    [3, 'updatedReplicas', 'i32'],
    [7, 'readyReplicas', 'i32'],
    [4, 'availableReplicas', 'i32'],
    [5, 'unavailableReplicas', 'i32'],
    [9, 'terminatingReplicas', 'i32', 'always'],
    [6, 'conditions', '[]DeploymentCondition'],
    [8, 'collisionCount', 'i32', 'always'],
  ),
  DeploymentCondition: message(
    [1, 'type', 's', 'always'],
    [2, 'status', 's', 'always'],
    [6, 'lastUpdateTime', 'Time'],
    [7, 'lastTransitionTime', 'Time'],
    [4, 'reason', 's'],
    [5, 'message', 's'],
  ),
  ReplicaSet: message([1, 'metadata', 'ObjectMeta'], [2, 'spec', 'ReplicaSetSpec'], [3, 'status', 'ReplicaSetStatus']),
  ReplicaSetSpec: message(
    [1, 'replicas', 'i32', 'always'],
    [4, 'minReadySeconds', 'i32'],
    [2, 'selector', 'LabelSelector'],
    [3, 'template', 'PodTemplateSpec'],
  ),
  ReplicaSetStatus: message(
    [1, 'replicas', 'i32', 'always'],
    [2, 'fullyLabeledReplicas', 'i32'],
    [4, 'readyReplicas', 'i32'],
    [5, 'availableReplicas', 'i32'],
    [3, 'observedGeneration', 'i64'],
  ),
};

// Fields of a Go struct embedded inline in JSON (the proto nests them as a message field): their keys are
// lifted into the parent object, as Go's encoding/json does for embedded structs.
export const inlined = new Set(['localObjectReference', 'volumeSource', 'handler']);

// Pointer fields (Go *int32, *bool …) are only on the wire when set, so a zero value there is meaningful
// and kept; the `always` flag above covers them too.

// The kinds we decode: "apiVersion/kind" → root message.
export const kinds: Record<string, string> = {
  'v1/Namespace': 'Namespace',
  'v1/Service': 'Service',
  'v1/Pod': 'Pod',
  'v1/ConfigMap': 'ConfigMap',
  'v1/Secret': 'Secret',
  'v1/ServiceAccount': 'ServiceAccount',
  'apps/v1/Deployment': 'Deployment',
  'apps/v1/ReplicaSet': 'ReplicaSet',
};
