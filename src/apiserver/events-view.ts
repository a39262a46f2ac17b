// events.k8s.io/v1 Event is a second view of the core/v1 Events stored under /registry/events/ (Kubernetes
// converts between them: pkg/apis/events/v1 conversion). Field renames only; both directions are pure.
import type { KubeObject } from '../api/index.ts';

// core/v1 name → events.k8s.io/v1 name.
const renames: [string, string][] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
  ['reportingComponent', 'reportingController'],
];

function rename(obj: KubeObject, apiVersion: string, pairs: [string, string][]): KubeObject {
  const src = obj as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { ...src, apiVersion, kind: 'Event' };
  for (const [from, to] of pairs) {
    delete out[from];
    if (src[from] !== undefined) out[to] = src[from];
  }
  return out as unknown as KubeObject;
}

export const eventsV1View = {
  fromStorage: (core: KubeObject): KubeObject => rename(core, 'events.k8s.io/v1', renames),
  toStorage: (ev: KubeObject): KubeObject => rename(ev, 'v1', renames.map(([a, b]) => [b, a] as [string, string])),
};
