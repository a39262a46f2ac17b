// Kubeconfig files: the cluster's own admin kubeconfig, and merging a `clusterip-<name>` context into the
// user's (KUBECONFIG's first file, else ~/.kube/config) the way kind does, and taking it out again.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';

interface Named<T> {
  name: string;
  [key: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

export interface KubeconfigDoc {
  apiVersion: 'v1';
  kind: 'Config';
  preferences: Record<string, unknown>;
  clusters: Named<Record<string, unknown>>[];
  users: Named<Record<string, unknown>>[];
  contexts: Named<Record<string, unknown>>[];
  'current-context': string;
  [key: string]: unknown;
}

export function contextName(cluster: string): string {
  return `clusterip-${cluster}`;
}

/** The admin kubeconfig for a cluster (pure). */
export function adminKubeconfig(cluster: string, server: string): KubeconfigDoc {
  const name = contextName(cluster);
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name, cluster: { server } }],
    users: [{ name, user: {} }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  };
}

/** doc with the cluster's entries replaced by those of addition (pure). */
export function mergeKubeconfig(doc: Partial<KubeconfigDoc>, addition: KubeconfigDoc): KubeconfigDoc {
  const replace = <T extends { name: string }>(list: T[] | undefined, items: T[]): T[] => [
    ...(list ?? []).filter((e) => !items.some((i) => i.name === e.name)),
    ...items,
  ];
  return {
    ...doc,
    apiVersion: 'v1',
    kind: 'Config',
    preferences: doc.preferences ?? {},
    clusters: replace(doc.clusters, addition.clusters),
    users: replace(doc.users, addition.users),
    contexts: replace(doc.contexts, addition.contexts),
    'current-context': addition['current-context'],
  };
}

/** doc without the cluster's entries (pure). */
export function removeFromKubeconfig(doc: Partial<KubeconfigDoc>, cluster: string): Partial<KubeconfigDoc> {
  const name = contextName(cluster);
  const without = <T extends { name: string }>(list: T[] | undefined) => (list ?? []).filter((e) => e.name !== name);
  return {
    ...doc,
    clusters: without(doc.clusters),
    users: without(doc.users),
    contexts: without(doc.contexts),
    'current-context': doc['current-context'] === name ? '' : doc['current-context'],
  };
}

export function userKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const first = (env.KUBECONFIG ?? '').split(path.delimiter).find(Boolean);
  return first ?? path.join(os.homedir(), '.kube', 'config');
}

async function readDoc(file: string): Promise<Partial<KubeconfigDoc>> {
  try {
    return (YAML.parse(await readFile(file, 'utf8')) ?? {}) as Partial<KubeconfigDoc>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
}

async function writeDoc(file: string, doc: Partial<KubeconfigDoc>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, YAML.stringify(doc), { mode: 0o600 });
  await rename(tmp, file);
}

export async function writeAdminKubeconfig(file: string, cluster: string, server: string): Promise<void> {
  await writeDoc(file, adminKubeconfig(cluster, server));
}

export async function mergeIntoUserKubeconfig(file: string, cluster: string, server: string): Promise<void> {
  await writeDoc(file, mergeKubeconfig(await readDoc(file), adminKubeconfig(cluster, server)));
}

export async function removeFromUserKubeconfig(file: string, cluster: string): Promise<boolean> {
  const doc = await readDoc(file);
  if (!(doc.contexts ?? []).some((c) => c.name === contextName(cluster))) return false;
  await writeDoc(file, removeFromKubeconfig(doc, cluster));
  return true;
}
