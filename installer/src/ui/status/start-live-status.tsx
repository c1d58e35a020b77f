import { render } from 'ink';
import { loadAdminCredentials } from '../../diagnostics/index.ts';
import { clusterCaPem } from '../../install/phases/api-client.ts';
import { adminKubeConfig } from '../../install/phases/api-client.ts';
import type { InstalledCluster } from '../../install/operations.ts';
import { colorWanted } from '../live/start-live-view.tsx';
import { ClusterStatusWatch } from './cluster-status-watch.ts';
import { probeHealth } from './health-probes.ts';
import { LiveStatus } from './live-status.tsx';

/** Health has no watch: /readyz and etcd are probed again this often (a probe round costs a few requests). */
export const PROBE_INTERVAL_MS = 10_000;

/**
 * `strata status` on a terminal: the live view of the cluster on stderr until the user presses q or Ctrl-C.
 * Nodes and UpdatePolicies come from watches; the health from probes every PROBE_INTERVAL_MS.
 */
export async function runLiveStatus(
  cluster: InstalledCluster,
  stream: NodeJS.WriteStream = process.stderr,
): Promise<void> {
  const target = {
    apiServerUrl: cluster.apiServerUrl,
    clusterCaPem: await clusterCaPem(cluster.directory),
    credentials: await loadAdminCredentials(cluster.directory.kubeconfigPath),
    etcdMembers: cluster.topology.controllers.map((controller) => ({
      name: controller.name,
      clientUrl: `https://${controller.bindAddress}:2379`,
    })),
  };
  const watch = new ClusterStatusWatch({
    kubeConfig: adminKubeConfig(cluster.directory),
    cluster: cluster.identity.cluster,
    platform: cluster.identity.platform,
    apiServerUrl: cluster.apiServerUrl,
    probe: (signal) => probeHealth(target, signal),
    probeIntervalMs: PROBE_INTERVAL_MS,
  });
  let quit: () => void = () => undefined;
  const quitting = new Promise<void>((resolve) => (quit = resolve));
  const instance = render(
    <LiveStatus source={watch} probeIntervalMs={PROBE_INTERVAL_MS} color={colorWanted(process.env)} onQuit={quit} />,
    { stdout: stream, exitOnCtrlC: false, patchConsole: false },
  );
  // The watches list in the background: the view shows "listing" until they have, and a watch that cannot reach
  // the API says so on screen while it retries.
  const started = watch.start();
  try {
    await quitting;
  } finally {
    instance.unmount();
    await watch.stop();
    await started;
  }
}
