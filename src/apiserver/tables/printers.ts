// One printer per kind: its column definitions and how one object becomes one row of cells. Columns, cell
// values and formats are those of Kubernetes' server-side printers (pkg/printers/internalversion), which the
// apiserver always runs in wide mode: priority-1 cells are always present and kubectl hides them without -o wide.

import type {
  ConfigMap,
  ContainerStatus,
  Deployment,
  EndpointSlice,
  Endpoints,
  Event,
  IPAddress,
  KubeObject,
  Lease,
  Namespace,
  Node,
  Pod,
  ReplicaSet,
  Secret,
  Service,
  ServiceAccount,
  ServiceCIDR,
} from '../../api/index.ts';
import { age, formatLabelSelector, formatLabels, joinHostPort, listWithMore, selectorString } from './format.ts';

export interface TableColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export interface TableRowCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface PrintedRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
}

export interface Printer {
  columns: TableColumnDefinition[];
  print(obj: KubeObject, now: Date): PrintedRow;
}

function column(
  name: string,
  type: TableColumnDefinition['type'],
  description: string,
  opts: { priority?: number; format?: string } = {},
): TableColumnDefinition {
  return { name, type, format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

const nameColumn = column('Name', 'string', 'Name must be unique within a namespace; it identifies the object.', {
  format: 'name',
});
const ageColumn = column('Age', 'string', 'Time since the object was created (metadata.creationTimestamp).');
const containersColumn = column('Containers', 'string', 'Names of each container in the template.', { priority: 1 });
const imagesColumn = column('Images', 'string', 'Images referenced by each container in the template.', {
  priority: 1,
});

function containerCells(containers: { name: string; image?: string }[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name).join(','), list.map((c) => c.image ?? '').join(',')];
}

// --- Pod ------------------------------------------------------------------------------------------------------

const podSucceeded: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
];
const podFailed: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
];

function laterOf(a: string | undefined, b: string | undefined): string | undefined {
  if (!b) return a;
  if (!a) return b;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

// As printPod: the Status column is the phase, overridden by the pod's reason, then by the first failing
// init container ("Init:…"), else by the reason of the first container (in spec order) that is waiting or
// terminated; Terminating once deletionTimestamp is set on a non-terminal pod.
function printPod(obj: KubeObject, now: Date): PrintedRow {
  const pod = obj as Pod;
  const status = pod.status ?? {};
  const spec = pod.spec ?? { containers: [] };
  const phase = status.phase ?? '';
  let reason: string = status.reason || phase;
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initContainers = new Map((spec.initContainers ?? []).map((c) => [c.name, c]));
  const isSidecar = (name: string): boolean => initContainers.get(name)?.restartPolicy === 'Always';
  let totalContainers = (spec.containers ?? []).length;
  for (const c of spec.initContainers ?? []) if (c.restartPolicy === 'Always') totalContainers++;

  let restarts = 0;
  let sidecarRestarts = 0;
  let readyContainers = 0;
  let lastRestart: string | undefined;
  let lastSidecarRestart: string | undefined;
  let initializing = false;

  const initStatuses: ContainerStatus[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    restarts += cs.restartCount ?? 0;
    const finished = cs.lastState?.terminated?.finishedAt;
    lastRestart = laterOf(lastRestart, finished);
    if (isSidecar(cs.name)) {
      sidecarRestarts += cs.restartCount ?? 0;
      lastSidecarRestart = laterOf(lastSidecarRestart, finished);
    }
    const terminated = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (isSidecar(cs.name) && cs.started) {
      if (cs.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      if (!terminated.reason) {
        reason = terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  const initialized = (status.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += cs.restartCount ?? 0;
      lastRestart = laterOf(lastRestart, cs.lastState?.terminated?.finishedAt);
      const waiting = cs.state?.waiting;
      const terminated = cs.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) {
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      } else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const ready = (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      reason = ready ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  const restartsCell =
    restarts !== 0 && lastRestart ? `${restarts} (${age(lastRestart, now)} ago)` : String(restarts);

  let readinessGates = '<none>';
  const gates = spec.readinessGates ?? [];
  if (gates.length > 0) {
    let trueConditions = 0;
    for (const gate of gates) {
      const cond = (status.conditions ?? []).find((c) => c.type === gate.conditionType);
      if (cond?.status === 'True') trueConditions++;
    }
    readinessGates = `${trueConditions}/${gates.length}`;
  }

  const row: PrintedRow = {
    cells: [
      pod.metadata.name ?? '',
      `${readyContainers}/${totalContainers}`,
      reason,
      restartsCell,
      age(pod.metadata.creationTimestamp, now),
      status.podIPs?.[0]?.ip || '<none>',
      spec.nodeName || '<none>',
      status.nominatedNodeName || '<none>',
      readinessGates,
    ],
  };
  if (phase === 'Succeeded') row.conditions = podSucceeded;
  if (phase === 'Failed') row.conditions = podFailed;
  return row;
}

// --- Service --------------------------------------------------------------------------------------------------

function loadBalancerIngress(svc: Service): string[] {
  const ingress = (svc.status?.loadBalancer as { ingress?: { ip?: string; hostname?: string }[] } | undefined)
    ?.ingress;
  const set = new Set<string>();
  for (const i of ingress ?? []) {
    if (i.ip) set.add(i.ip);
    else if (i.hostname) set.add(i.hostname);
  }
  return [...set].sort();
}

// As getServiceExternalIP (wide: the load-balancer list is not clipped).
function serviceExternalIP(svc: Service): string {
  const externalIPs = svc.spec.externalIPs ?? [];
  switch (svc.spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const all = [...loadBalancerIngress(svc), ...externalIPs];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function printService(obj: KubeObject, now: Date): PrintedRow {
  const svc = obj as Service;
  const spec = svc.spec ?? {};
  const ports = (spec.ports ?? [])
    .map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? ''}` : `${p.port}/${p.protocol ?? ''}`))
    .join(',');
  return {
    cells: [
      svc.metadata.name ?? '',
      spec.type ?? '',
      spec.clusterIPs?.[0] || spec.clusterIP || '<none>',
      serviceExternalIP({ ...svc, spec }),
      ports || '<none>',
      age(svc.metadata.creationTimestamp, now),
      formatLabels(spec.selector),
    ],
  };
}

// --- Endpoints, EndpointSlice -----------------------------------------------------------------------------------

// As formatEndpoints: ip:port for every port of every subset (bare IPs when a subset has no ports).
function printEndpoints(obj: KubeObject, now: Date): PrintedRow {
  const ep = obj as Endpoints;
  const subsets = ep.subsets ?? [];
  let text = '<none>';
  if (subsets.length > 0) {
    const list: string[] = [];
    for (const ss of subsets) {
      const addresses = ss.addresses ?? [];
      if ((ss.ports ?? []).length === 0) {
        for (const a of addresses) list.push(a.ip);
        continue;
      }
      for (const port of ss.ports ?? []) for (const a of addresses) list.push(joinHostPort(a.ip, port.port));
    }
    text = listWithMore(list, 3, '');
  }
  return { cells: [ep.metadata.name ?? '', text, age(ep.metadata.creationTimestamp, now)] };
}

function printEndpointSlice(obj: KubeObject, now: Date): PrintedRow {
  const slice = obj as EndpointSlice;
  const ports = (slice.ports ?? []).map((p) =>
    p.port !== undefined && p.port !== null ? String(p.port) : p.name !== undefined ? p.name : '*',
  );
  const addresses = (slice.endpoints ?? []).flatMap((e) => e.addresses ?? []);
  return {
    cells: [
      slice.metadata.name ?? '',
      slice.addressType ?? '',
      listWithMore(ports, 3, '<unset>'),
      listWithMore(addresses, 3, '<unset>'),
      age(slice.metadata.creationTimestamp, now),
    ],
  };
}

// --- Namespace, Node, Event -------------------------------------------------------------------------------------

function printNamespace(obj: KubeObject, now: Date): PrintedRow {
  const ns = obj as Namespace;
  return { cells: [ns.metadata.name ?? '', ns.status?.phase ?? '', age(ns.metadata.creationTimestamp, now)] };
}

const nodeRolePrefix = 'node-role.kubernetes.io/';
const nodeRoleLabel = 'kubernetes.io/role';

function printNode(obj: KubeObject, now: Date): PrintedRow {
  const node = obj as Node;
  const status: string[] = [];
  const ready = (node.status?.conditions ?? []).filter((c) => c.type === 'Ready').at(-1);
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');

  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(nodeRolePrefix) && k.length > nodeRolePrefix.length) roles.add(k.slice(nodeRolePrefix.length));
    else if (k === nodeRoleLabel && v !== '') roles.add(v);
  }
  const info = node.status?.nodeInfo ?? {};
  const address = (type: string): string =>
    (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';
  return {
    cells: [
      node.metadata.name ?? '',
      status.join(','),
      roles.size > 0 ? [...roles].sort().join(',') : '<none>',
      age(node.metadata.creationTimestamp, now),
      info.kubeletVersion ?? '',
      address('InternalIP'),
      address('ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ],
  };
}

function printEvent(obj: KubeObject, now: Date): PrintedRow {
  const ev = obj as Event;
  const firstSeen = ev.firstTimestamp ? age(ev.firstTimestamp, now) : age(ev.eventTime, now);
  let lastSeen = ev.lastTimestamp ? age(ev.lastTimestamp, now) : firstSeen;
  let count = ev.count ?? 0;
  if (ev.series) {
    lastSeen = age(ev.series.lastObservedTime, now);
    count = ev.series.count ?? 0;
  } else if (count === 0) {
    count = 1; // singleton events of the events.k8s.io API carry no count
  }
  const kind = (ev.involvedObject?.kind ?? '').toLowerCase();
  const target = ev.involvedObject?.name ? `${kind}/${ev.involvedObject.name}` : kind;
  const component = ev.source?.component || ev.reportingComponent || '';
  const host = ev.source?.host || ev.reportingInstance || '';
  return {
    cells: [
      lastSeen,
      ev.type ?? '',
      ev.reason ?? '',
      target,
      ev.involvedObject?.fieldPath ?? '',
      host ? `${component}, ${host}` : component,
      (ev.message ?? '').trim(),
      firstSeen,
      count,
      ev.metadata.name ?? '',
    ],
  };
}

// --- networking, coordination, config -----------------------------------------------------------------------------

function printServiceCIDR(obj: KubeObject, now: Date): PrintedRow {
  const cidr = obj as ServiceCIDR;
  return {
    cells: [cidr.metadata.name ?? '', (cidr.spec?.cidrs ?? []).join(','), age(cidr.metadata.creationTimestamp, now)],
  };
}

// Kubernetes' printer also appends an Age cell that has no column; we keep cells and columns aligned.
function printIPAddress(obj: KubeObject): PrintedRow {
  const ip = obj as IPAddress;
  const ref = ip.spec?.parentRef;
  let parent = '<none>';
  if (ref) {
    parent = (ref.group ? `${ref.resource}.${ref.group}` : ref.resource).toLowerCase();
    if (ref.namespace) parent += `/${ref.namespace}`;
    parent += `/${ref.name}`;
  }
  return { cells: [ip.metadata.name ?? '', parent] };
}

function printLease(obj: KubeObject, now: Date): PrintedRow {
  const lease = obj as Lease;
  return {
    cells: [lease.metadata.name ?? '', lease.spec?.holderIdentity ?? '', age(lease.metadata.creationTimestamp, now)],
  };
}

function printConfigMap(obj: KubeObject, now: Date): PrintedRow {
  const cm = obj as ConfigMap;
  const n = Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length;
  return { cells: [cm.metadata.name ?? '', n, age(cm.metadata.creationTimestamp, now)] };
}

function printSecret(obj: KubeObject, now: Date): PrintedRow {
  const s = obj as Secret;
  return {
    cells: [s.metadata.name ?? '', s.type ?? '', Object.keys(s.data ?? {}).length, age(s.metadata.creationTimestamp, now)],
  };
}

function printServiceAccount(obj: KubeObject, now: Date): PrintedRow {
  const sa = obj as ServiceAccount;
  return { cells: [sa.metadata.name ?? '', (sa.secrets ?? []).length, age(sa.metadata.creationTimestamp, now)] };
}

// --- apps ------------------------------------------------------------------------------------------------------

function printDeployment(obj: KubeObject, now: Date): PrintedRow {
  const d = obj as Deployment;
  const status = d.status ?? {};
  const [names, images] = containerCells(d.spec?.template?.spec?.containers);
  return {
    cells: [
      d.metadata.name ?? '',
      `${status.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      status.updatedReplicas ?? 0,
      status.availableReplicas ?? 0,
      age(d.metadata.creationTimestamp, now),
      names,
      images,
      selectorString(d.spec?.selector),
    ],
  };
}

function printReplicaSet(obj: KubeObject, now: Date): PrintedRow {
  const rs = obj as ReplicaSet;
  const [names, images] = containerCells(rs.spec?.template?.spec?.containers);
  return {
    cells: [
      rs.metadata.name ?? '',
      rs.spec?.replicas ?? 0,
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      age(rs.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(rs.spec?.selector),
    ],
  };
}

// --- the registry -------------------------------------------------------------------------------------------------

export const printers: Record<string, Printer> = {
  Pod: {
    columns: [
      nameColumn,
      column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
      column('Status', 'string', 'The aggregate status of the containers in this pod.'),
      column(
        'Restarts',
        'string',
        'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      ),
      ageColumn,
      column('IP', 'string', 'The IP address allocated to the pod.', { priority: 1 }),
      column('Node', 'string', 'The node the pod is bound to.', { priority: 1 }),
      column('Nominated Node', 'string', 'The node the scheduler nominated while preempting.', { priority: 1 }),
      column('Readiness Gates', 'string', 'Extra conditions evaluated for pod readiness.', { priority: 1 }),
    ],
    print: printPod,
  },
  Service: {
    columns: [
      nameColumn,
      column('Type', 'string', 'How the Service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
      column('Cluster-IP', 'string', 'The virtual IP of the Service inside the cluster.'),
      column('External-IP', 'string', 'IPs outside the cluster that also reach the Service.'),
      column('Port(s)', 'string', 'The ports the Service exposes.'),
      ageColumn,
      column('Selector', 'string', 'Pods whose labels match this selector back the Service.', { priority: 1 }),
    ],
    print: printService,
  },
  Endpoints: {
    columns: [nameColumn, column('Endpoints', 'string', 'The addresses and ports backing the Service.'), ageColumn],
    print: printEndpoints,
  },
  EndpointSlice: {
    columns: [
      nameColumn,
      column('AddressType', 'string', 'The type of address carried by this slice.'),
      column('Ports', 'string', 'The network ports exposed by the endpoints.'),
      column('Endpoints', 'string', 'The endpoints in this slice.'),
      ageColumn,
    ],
    print: printEndpointSlice,
  },
  Namespace: {
    columns: [nameColumn, column('Status', 'string', 'The status of the namespace'), ageColumn],
    print: printNamespace,
  },
  Node: {
    columns: [
      nameColumn,
      column('Status', 'string', 'The status of the node'),
      column('Roles', 'string', 'The roles of the node'),
      ageColumn,
      column('Version', 'string', 'Kubelet version reported by the node.'),
      column('Internal-IP', 'string', 'Addresses reachable to the node.', { priority: 1 }),
      column('External-IP', 'string', 'Addresses reachable to the node.', { priority: 1 }),
      column('OS-Image', 'string', 'OS image reported by the node.', { priority: 1 }),
      column('Kernel-Version', 'string', 'Kernel version reported by the node.', { priority: 1 }),
      column('Container-Runtime', 'string', 'Container runtime version reported by the node.', { priority: 1 }),
    ],
    print: printNode,
  },
  Event: {
    columns: [
      column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
      column('Type', 'string', 'Type of this event (Normal, Warning).'),
      column('Reason', 'string', 'A short, machine understandable string for the transition.'),
      column('Object', 'string', 'The object that this event is about.'),
      column('Subobject', 'string', 'The part of the object the event is about.', { priority: 1 }),
      column('Source', 'string', 'The component reporting this event.', { priority: 1 }),
      column('Message', 'string', 'A human-readable description of the status of this operation.'),
      column('First Seen', 'string', 'The time at which the event was first recorded.', { priority: 1 }),
      column('Count', 'string', 'The number of times this event has occurred.', { priority: 1 }),
      column('Name', 'string', 'Name must be unique within a namespace; it identifies the object.', {
        priority: 1,
        format: 'name',
      }),
    ],
    print: printEvent,
  },
  ServiceCIDR: {
    columns: [nameColumn, column('CIDRs', 'string', 'The IP ranges Service ClusterIPs are allocated from.'), ageColumn],
    print: printServiceCIDR,
  },
  IPAddress: {
    columns: [nameColumn, column('ParentRef', 'string', 'The object this IP address is allocated to.')],
    print: printIPAddress,
  },
  Lease: {
    columns: [nameColumn, column('Holder', 'string', 'The identity of the current holder of the lease.'), ageColumn],
    print: printLease,
  },
  ConfigMap: {
    columns: [nameColumn, column('Data', 'string', 'Number of keys in data and binaryData.'), ageColumn],
    print: printConfigMap,
  },
  Secret: {
    columns: [
      nameColumn,
      column('Type', 'string', 'Used to facilitate programmatic handling of secret data.'),
      column('Data', 'string', 'Number of keys in data.'),
      ageColumn,
    ],
    print: printSecret,
  },
  ServiceAccount: {
    columns: [nameColumn, column('Secrets', 'string', 'Number of secrets referenced by the service account.'), ageColumn],
    print: printServiceAccount,
  },
  Deployment: {
    columns: [
      nameColumn,
      column('Ready', 'string', 'Number of the pod with ready state'),
      column('Up-to-date', 'string', 'Number of pods running the newest template.'),
      column('Available', 'string', 'Number of pods available for at least minReadySeconds.'),
      ageColumn,
      containersColumn,
      imagesColumn,
      column('Selector', 'string', 'Label selector for the pods of the deployment.', { priority: 1 }),
    ],
    print: printDeployment,
  },
  ReplicaSet: {
    columns: [
      nameColumn,
      column('Desired', 'integer', 'The number of desired replicas.'),
      column('Current', 'integer', 'The number of replicas observed.'),
      column('Ready', 'integer', 'The number of ready replicas.'),
      ageColumn,
      containersColumn,
      imagesColumn,
      column('Selector', 'string', 'Label selector for the pods of the replica set.', { priority: 1 }),
    ],
    print: printReplicaSet,
  },
};

// As the apiserver's default table convertor for kinds without a printer: Name and Created At (RFC 3339).
export const defaultPrinter: Printer = {
  columns: [
    nameColumn,
    column('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
  ],
  print(obj: KubeObject): PrintedRow {
    const ts = obj.metadata.creationTimestamp;
    const created = ts ? new Date(Date.parse(ts)).toISOString().replace(/\.\d{3}Z$/, 'Z') : '0001-01-01T00:00:00Z';
    return { cells: [obj.metadata.name ?? '', created] };
  },
};
