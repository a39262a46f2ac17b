// apps/v1 defaulting as Kubernetes' pkg/apis/apps/v1/defaults.go (SetDefaults_Deployment, SetDefaults_ReplicaSet)
// plus the pod template defaults of pkg/apis/core/v1/defaults.go (SetDefaults_PodSpec, SetDefaults_Container,
// SetDefaults_Probe …). Only what SetDefaults_PodSpec sets: enableServiceLinks is SetDefaults_Pod's and priority
// comes from admission, so neither appears in a Deployment's template (as `kubectl get deploy -o yaml` shows).
// Pure; mutates its argument.
import type { Deployment, PodTemplateSpec, ReplicaSet } from '../../../api/index.ts';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function defaultProbe(p: unknown): void {
  if (!isObject(p)) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (isObject(p.httpGet)) p.httpGet.scheme ??= 'HTTP';
  if (isObject(p.grpc)) p.grpc.service ??= '';
}

function defaultContainer(c: Record<string, unknown>): void {
  const image = typeof c.image === 'string' ? c.image : '';
  // SetDefaults_Container: Always for :latest or no tag, IfNotPresent otherwise (a digest counts as a tag).
  const lastPart = image.split('/').pop() ?? '';
  const tag = image.includes('@') ? 'digest' : lastPart.includes(':') ? lastPart.split(':')[1] : '';
  c.imagePullPolicy ??= !tag || tag === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const p of Array.isArray(c.ports) ? c.ports : []) if (isObject(p)) p.protocol ??= 'TCP';
  for (const e of Array.isArray(c.env) ? c.env : []) {
    if (isObject(e) && isObject(e.valueFrom) && isObject(e.valueFrom.fieldRef)) e.valueFrom.fieldRef.apiVersion ??= 'v1';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
}

/** SetDefaults_PodSpec and its containers, on a pod template. */
export function defaultPodTemplate(template: PodTemplateSpec | undefined): void {
  if (!isObject(template)) return;
  const spec = (template.spec ??= { containers: [] }) as unknown as Record<string, unknown>;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  for (const list of [spec.initContainers, spec.containers]) {
    for (const c of Array.isArray(list) ? list : []) if (isObject(c)) defaultContainer(c);
  }
}

/** SetDefaults_Deployment (apps/v1). */
export function defaultDeployment(d: Deployment): void {
  const spec = (d.spec ??= {});
  spec.replicas ??= 1;
  const strategy = (spec.strategy ??= {}) as { type?: string; rollingUpdate?: Record<string, unknown> };
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = (strategy.rollingUpdate ??= {});
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplate(spec.template);
}

/** SetDefaults_ReplicaSet (apps/v1). */
export function defaultReplicaSet(rs: ReplicaSet): void {
  const spec = (rs.spec ??= {});
  spec.replicas ??= 1;
  defaultPodTemplate(spec.template);
}
