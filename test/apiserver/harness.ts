// The API server tests' control plane: the shared one (test/support/cluster.ts), under the names these
// tests use.
import { startTestControlPlane, type TestControlPlane, type TestControlPlaneOptions } from '../support/cluster.ts';

export { writeKubeconfig } from '../support/cluster.ts';

export interface TestCluster extends TestControlPlane {
  stop(): Promise<void>;
}

export async function startTestCluster(options: TestControlPlaneOptions = {}): Promise<TestCluster> {
  const cp = await startTestControlPlane(options);
  return { ...cp, stop: cp.close };
}
