// The agent's settings (from flags; see flags.ts).
import type { Cidr } from './network/cidr.ts';
import type { BackoffPolicy } from './status.ts';

export interface AgentConfig {
  cluster: string;
  node: string;
  /** `http://127.0.0.1:PORT` or `unix:///path.sock`. */
  api: string;
  /** A unix socket path of the API server for programs inside pod namespaces (cluster DNS); optional. */
  apiSocket?: string;
  dataDir: string;
  podCIDRs: Cidr[];
  /** With prefix, e.g. 172.31.0.2/24. */
  nodeIP: string;
  kubeletPort: number;
  clusterDNS: string[];
  clusterDomain: string;
  serviceCIDR: string;
  backoff: BackoffPolicy;
  /** Image pull back-off period for images not in the catalogue. */
  imagePullBackoffMs: number;
  /** Lease renewal and node status heartbeat. */
  heartbeatMs: number;
}

/** The repository root, where our image programs live (src/agent/images/agnhost.ts, src/dns/main.ts). */
export const REPO_ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
