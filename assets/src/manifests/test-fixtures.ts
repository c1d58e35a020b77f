import type { ManifestInputs } from './inputs.ts';

/** Valid manifest inputs; tests override only what they are about. */
export function manifestInputs(overrides: Partial<ManifestInputs> = {}): ManifestInputs {
  return {
    clusterName: 'test-cluster',
    kubernetesVersion: 'v1.36.3',
    podCidr: '10.2.0.0/16',
    // The harness's kube-apiserver allocates Service IPs from 10.3.0.0/24, so dnsServiceIp lies inside it too.
    serviceCidr: '10.3.0.0/16',
    clusterDomain: 'cluster.local',
    dnsServiceIp: '10.3.0.10',
    apiServer: { host: '192.0.2.10', port: 6443 },
    bootstrapToken: { id: 'abcdef', secret: '0123456789abcdef' },
    ...overrides,
  };
}
