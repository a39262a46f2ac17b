// `node src/agent/main.ts --cluster NAME --node NAME …`: one node agent process (see flags.ts).
import { parseAgentFlags } from './flags.ts';
import { startAgent } from './agent.ts';

let config;
try {
  config = parseAgentFlags(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}
const agent = await startAgent(config);
// SIGTERM/SIGINT stop the agent but leave pods running: a restarted agent adopts them; `clusterip down`
// (cleanupCluster) removes them.
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    void agent.stop().finally(() => process.exit(0));
  });
}
