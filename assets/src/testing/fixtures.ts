import type { CertificateRequest } from '../pki/certificates.ts';
import type { RenderConfig } from '../render/render-config.ts';

/** A valid certificate request; tests override only what they are about. */
export function certificateRequest(overrides: Partial<CertificateRequest> = {}): CertificateRequest {
  return {
    commonName: 'test-server',
    dnsNames: ['test.example.com'],
    ipAddresses: ['127.0.0.1'],
    profile: 'server',
    validityDays: 30,
    ...overrides,
  };
}

/** A valid local-platform render config; tests override what they are about. */
export function renderConfig(overrides: Partial<RenderConfig> = {}): RenderConfig {
  return {
    name: 'proof',
    baseDomain: 'strata.test',
    platform: 'local',
    local: { apiServerPort: 6443 },
    controllers: { count: 1 },
    workerPools: [{ name: 'worker', count: 1 }],
    os: { name: 'flatcar', channel: 'stable' },
    kubernetesVersion: 'v1.36.3',
    kubernetesSysext: {},
    allowUnverifiedDownloads: false,
    networking: { cni: 'flannel', podCidr: '10.2.0.0/16', serviceCidr: '10.3.0.0/16', clusterDomain: 'cluster.local' },
    sshAuthorizedKeys: [],
    etcd: { quotaBackendBytes: 2 * 1024 ** 3 },
    updates: { rebootStrategy: 'operator', maxUnavailable: 1, windows: [] },
    certificates: { caValidityDays: 3650, validityDays: 365 },
    join: { tokenTtlHours: 24 },
    ...overrides,
  };
}
