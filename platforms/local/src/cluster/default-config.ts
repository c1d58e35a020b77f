import { validateClusterConfig, type ClusterConfig } from '@strata/assets';

/** The cluster `strata up` brings up when given no cluster.yaml: one controller and two workers on this machine. */
export function defaultLocalConfig(
  overrides: { name?: string; workers?: number; controllers?: 1 | 3 } = {},
): ClusterConfig {
  const workers = overrides.workers ?? 2;
  const controllers = overrides.controllers ?? 1;
  const result = validateClusterConfig(
    {
      apiVersion: 'strata.dev/v1alpha1',
      kind: 'Cluster',
      name: overrides.name ?? 'local',
      baseDomain: 'strata.local',
      platform: 'local',
      controllers: { count: controllers },
      workerPools: [{ name: 'worker', count: workers }],
      // Every node gets a /24 of the pod range: past 254 nodes the default /16 is too small.
      ...(workers + controllers > 254 ? { networking: { podCidr: '10.32.0.0/12' } } : {}),
    },
    // The loopback cluster cannot clash with this machine's networks: nothing is routed.
    { hostNetworks: [] },
  );
  if (!result.ok) throw new Error(`built-in local config is invalid:\n${result.message}`);
  return result.config;
}
