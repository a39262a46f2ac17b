// Records core/v1 Events about objects, as client-go's EventRecorder does (what `kubectl describe` and
// `kubectl get events` show). Best effort: a failed event never fails the controller.
import { randomBytes } from 'node:crypto';
import type { Event, KubeObject } from '../../api/index.ts';
import type { ApiClient } from '../../client/index.ts';

export class EventRecorder {
  private readonly client: ApiClient;
  private readonly component: string;
  private readonly host?: string;
  private readonly now: () => Date;

  constructor(client: ApiClient, component: string, options: { host?: string; now?: () => Date } = {}) {
    this.client = client;
    this.component = component;
    this.host = options.host;
    this.now = options.now ?? (() => new Date());
  }

  async record(object: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const namespace = object.metadata.namespace || 'default';
    const time = this.now().toISOString().replace(/\.\d+Z$/, 'Z');
    const event: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${object.metadata.name}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: {
        kind: object.kind,
        namespace: object.metadata.namespace,
        name: object.metadata.name,
        uid: object.metadata.uid,
        apiVersion: object.apiVersion,
        resourceVersion: object.metadata.resourceVersion,
      },
      reason,
      message,
      source: this.host ? { component: this.component, host: this.host } : { component: this.component },
      firstTimestamp: time,
      lastTimestamp: time,
      count: 1,
      type,
      reportingComponent: this.component,
      reportingInstance: this.host ?? '',
    };
    try {
      await this.client.create(`/api/v1/namespaces/${namespace}/events`, event);
    } catch {
      // Events are best effort, as in Kubernetes.
    }
  }
}
