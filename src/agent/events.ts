// The kubelet's pod events (pure): reasons and messages as Kubernetes writes them.
import type { Event, Pod } from '../api/index.ts';

export interface PodEventSpec {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** `spec.containers{name}` when about one container. */
  container?: string;
}

export const podEvents = {
  pulled: (container: string, image: string): PodEventSpec => ({
    type: 'Normal',
    reason: 'Pulled',
    message: `Container image "${image}" already present on machine`,
    container,
  }),
  created: (container: string): PodEventSpec => ({ type: 'Normal', reason: 'Created', message: `Created container: ${container}`, container }),
  started: (container: string): PodEventSpec => ({ type: 'Normal', reason: 'Started', message: `Started container ${container}`, container }),
  killing: (container: string, why?: string): PodEventSpec => ({
    type: 'Normal',
    reason: 'Killing',
    message: why ? `Container ${container} ${why}, will be restarted` : `Stopping container ${container}`,
    container,
  }),
  unhealthy: (container: string, message: string): PodEventSpec => ({ type: 'Warning', reason: 'Unhealthy', message, container }),
  backOff: (container: string, pod: Pod): PodEventSpec => ({
    type: 'Warning',
    reason: 'BackOff',
    message: `Back-off restarting failed container ${container} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
    container,
  }),
  pullFailed: (container: string, image: string, why: string): PodEventSpec => ({
    type: 'Warning',
    reason: 'Failed',
    message: `Failed to pull image "${image}": ${why}`,
    container,
  }),
  errImagePull: (container: string): PodEventSpec => ({ type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull', container }),
  pullBackOff: (container: string, image: string): PodEventSpec => ({
    type: 'Normal',
    reason: 'BackOff',
    message: `Back-off pulling image "${image}"`,
    container,
  }),
  failed: (container: string, message: string): PodEventSpec => ({ type: 'Warning', reason: 'Failed', message: `Error: ${message}`, container }),
};

/** The core/v1 Event object for one occurrence. */
export function podEventObject(pod: Pod, spec: PodEventSpec, node: string, now: Date, seq: number): Event {
  const iso = now.toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${pod.metadata.name}.${(now.getTime() * 1000 + (seq % 1000)).toString(16)}`,
      namespace: pod.metadata.namespace ?? 'default',
    },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name,
      uid: pod.metadata.uid,
      ...(spec.container ? { fieldPath: `spec.containers{${spec.container}}` } : {}),
    },
    reason: spec.reason,
    message: spec.message,
    source: { component: 'kubelet', host: node },
    firstTimestamp: iso,
    lastTimestamp: iso,
    count: 1,
    type: spec.type,
    reportingComponent: 'kubelet',
    reportingInstance: node,
  };
}
