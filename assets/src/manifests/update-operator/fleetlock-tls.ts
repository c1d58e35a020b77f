import type { V1Secret } from '@kubernetes/client-node';
import { UPDATE_OPERATOR_NAMESPACE, UPDATE_OPERATOR_NAMES } from './names.ts';

/** The FleetLock serving certificate and key (PEM), issued by the cluster CA at render time. */
export interface FleetLockTls {
  readonly certPem: string;
  readonly keyPem: string;
}

/** Where the operator container finds the Secret's files, read-only. */
export const FLEETLOCK_TLS_MOUNT = {
  volume: 'fleetlock-tls',
  dir: '/etc/strata/fleetlock-tls',
  // The keys of a kubernetes.io/tls Secret, which are also the files' names in the mount.
  certFile: 'tls.crt',
  keyFile: 'tls.key',
} as const;

/**
 * The Secret the operator's FleetLock server takes its certificate from. `data` rather than `stringData`: the API
 * server moves stringData into data on every write, so only data lets a re-apply be a no-op.
 */
export function fleetLockTlsSecret(tls: FleetLockTls): V1Secret {
  const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name: UPDATE_OPERATOR_NAMES.fleetLockTlsSecret, namespace: UPDATE_OPERATOR_NAMESPACE },
    data: { [FLEETLOCK_TLS_MOUNT.certFile]: base64(tls.certPem), [FLEETLOCK_TLS_MOUNT.keyFile]: base64(tls.keyPem) },
  };
}
