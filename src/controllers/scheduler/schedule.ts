// The scheduler's decision for one pod (a small kube-scheduler): filter the nodes the pod may run on, then
// spread — the node with the fewest pods wins, ties by name. Pure.
import type { Node, Pod } from '../../api/index.ts';

export type ScheduleResult = { node: string } | { unschedulable: string };

interface Taint {
  key: string;
  value?: string;
  effect: string;
}

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

export function isNodeReady(node: Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.operator === 'Exists') return !toleration.key || toleration.key === taint.key;
  return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
}

/** Why a node cannot take the pod, in kube-scheduler's words; undefined when it can. */
export function nodeRejection(pod: Pod, node: Node): string | undefined {
  if (node.spec.unschedulable) return 'node(s) were unschedulable';
  for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) {
    if (node.metadata.labels?.[k] !== v) return "node(s) didn't match Pod's node affinity/selector";
  }
  const taints = [...((node.spec.taints ?? []) as unknown as Taint[])];
  // A node that is not Ready carries the not-ready taint in Kubernetes (the node lifecycle controller adds it).
  if (!isNodeReady(node)) taints.push({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' });
  const tolerations = (pod.spec.tolerations ?? []) as unknown as Toleration[];
  for (const taint of taints) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerations.some((t) => tolerates(t, taint))) {
      return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
    }
  }
  return undefined;
}

/**
 * Picks a node for the pod. podsPerNode counts the non-terminal pods already bound to each node.
 * The unschedulable message is kube-scheduler's FitError text.
 */
export function schedulePod(pod: Pod, nodes: readonly Node[], podsPerNode: ReadonlyMap<string, number>): ScheduleResult {
  if (!nodes.length) return { unschedulable: 'no nodes available to schedule pods' };
  const reasons = new Map<string, number>();
  const fit: Node[] = [];
  for (const node of nodes) {
    const why = nodeRejection(pod, node);
    if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1);
    else fit.push(node);
  }
  if (!fit.length) {
    const parts = [...reasons.entries()].map(([why, n]) => `${n} ${why}`).sort();
    return {
      unschedulable:
        `0/${nodes.length} nodes are available: ${parts.join(', ')}. ` +
        `preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`,
    };
  }
  fit.sort((a, b) => {
    const d = (podsPerNode.get(a.metadata.name ?? '') ?? 0) - (podsPerNode.get(b.metadata.name ?? '') ?? 0);
    return d || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
  });
  return { node: fit[0].metadata.name ?? '' };
}
