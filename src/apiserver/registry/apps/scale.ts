// The scale subresource (deployments/scale, replicasets/scale): an autoscaling/v1 Scale view of the object,
// as Kubernetes' ScaleREST does (pkg/registry/apps/deployment/storage). Pure.
import type { KubeObject, LabelSelector } from '../../../api/index.ts';
import { fieldErrors, type FieldError } from '../../errors.ts';

export interface Scale extends KubeObject {
  spec: { replicas?: number };
  status: { replicas: number; selector?: string };
}

type Scalable = KubeObject & { spec?: { replicas?: number; selector?: LabelSelector }; status?: { replicas?: number } };

/** metav1.FormatLabelSelector: requirements sorted by key, `k=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`. */
export function formatLabelSelector(s: LabelSelector | undefined): string {
  if (!s) return '';
  const reqs: [string, string][] = [];
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) reqs.push([k, `${k}=${v}`]);
  for (const e of s.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') reqs.push([e.key, `${e.key} in (${values})`]);
    else if (e.operator === 'NotIn') reqs.push([e.key, `${e.key} notin (${values})`]);
    else if (e.operator === 'Exists') reqs.push([e.key, e.key]);
    else if (e.operator === 'DoesNotExist') reqs.push([e.key, `!${e.key}`]);
  }
  reqs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return reqs.map((r) => r[1]).join(',');
}

/** The Scale of a Deployment or ReplicaSet. */
export function scaleOf(obj: KubeObject): Scale {
  const o = obj as Scalable;
  const m = o.metadata;
  const selector = formatLabelSelector(o.spec?.selector);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: selector ? { replicas: o.status?.replicas ?? 0, selector } : { replicas: o.status?.replicas ?? 0 },
  };
}

/** ValidateScale. */
export function validateScale(scale: Scale): FieldError[] {
  const r = scale.spec?.replicas;
  if (r !== undefined && (typeof r !== 'number' || r < 0)) return [fieldErrors.invalid('spec.replicas', typeof r === 'number' ? r : null, 'must be greater than or equal to 0')];
  return [];
}

/** The object with the Scale's replicas (and its resourceVersion as the write's precondition). */
export function applyScale<T extends KubeObject>(obj: T, scale: Scale): T {
  const out = structuredClone(obj) as T & Scalable;
  out.spec = { ...(out.spec ?? {}), replicas: scale.spec?.replicas ?? 0 };
  out.metadata.resourceVersion = scale.metadata?.resourceVersion || obj.metadata.resourceVersion;
  return out;
}
