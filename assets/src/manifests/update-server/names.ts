import { UPDATE_SERVER_PORT } from '../../render/catalog/node-files.ts';
import { STRATA_SYSTEM_NAMESPACE } from '../namespaces.ts';

export const UPDATE_SERVER_NAMESPACE = STRATA_SYSTEM_NAMESPACE;

/** Names of the update server's objects, which its process, the installer and tests refer to. */
export const UPDATE_SERVER_NAMES = {
  /** ServiceAccount, Deployment, Service and ClusterRole(Binding) `strata:update-server`. */
  server: 'update-server',
  /** The Lease in UPDATE_SERVER_NAMESPACE whose holder writes the custom resources' status (the process's default). */
  lease: 'strata-update-server',
  /** The kubernetes.io/tls Secret with the serving certificate the cluster CA issued at render time. */
  tlsSecret: 'update-server-tls',
  /** The PersistentVolumeClaim holding the SQLite database (machines and their history). */
  dataClaim: 'update-server-data',
  /** The `local` PersistentVolume on the pinned controller that the claim is bound to. */
  dataVolume: 'strata-update-server-data',
} as const;

export const UPDATE_SERVER_PORTS = {
  /**
   * Omaha and the JSON API, on the host network of the node the replica is pinned to: update_engine reaches it
   * there without cluster DNS, kube-proxy or a CNI plugin.
   */
  https: UPDATE_SERVER_PORT,
} as const;

/** The user name the API server gives the update server's ServiceAccount tokens. */
export const UPDATE_SERVER_USERNAME = `system:serviceaccount:${UPDATE_SERVER_NAMESPACE}:${UPDATE_SERVER_NAMES.server}`;
