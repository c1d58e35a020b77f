// One round of `strata status`'s health probes, with the install diagnostics'
// own checks: /readyz?verbose with the admin credentials, and each etcd member
// on its client URL plus the API server's view of etcd (/readyz/etcd).
import {
  parseEndpoint,
  probeEtcd,
  probeReadyz,
  type ApiCredentials,
  type EtcdMember,
} from '../../diagnostics/index.ts';
import type { HealthProbes } from './cluster-status-watch.ts';

export interface HealthTarget {
  readonly apiServerUrl: string;
  readonly clusterCaPem: string;
  /** The admin's, read once before the view starts (loadAdminCredentials), so a bad kubeconfig fails at once. */
  readonly credentials: ApiCredentials;
  readonly etcdMembers: readonly EtcdMember[];
}

/** Each probe's own bound: a silent address costs this much, not the whole refresh. */
const PROBE_TIMEOUT_MS = 5_000;

export async function probeHealth(target: HealthTarget, signal: AbortSignal): Promise<HealthProbes> {
  const options = { timeoutMs: PROBE_TIMEOUT_MS, signal };
  const endpoint = parseEndpoint(target.apiServerUrl, 'apiServerUrl');
  const { credentials } = target;
  const readyz = await probeReadyz(endpoint, target.clusterCaPem, credentials, options);
  const etcd = await probeEtcd(
    target.etcdMembers,
    readyz.answered
      ? { endpoint, caPem: target.clusterCaPem, credentials }
      : 'the API server does not answer (see the API line)',
    options,
  );
  const checkedAt = Date.now();
  return {
    api: { healthy: readyz.check.status === 'ok', detail: readyz.check.detail, checkedAt },
    etcd: { healthy: etcd.check.status === 'ok', detail: etcd.check.detail, checkedAt },
  };
}
