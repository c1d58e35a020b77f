// The names automatic member TLS hangs on: the signer, each cluster's service account, CA and client Secret, and
// where a member pod keeps its certificate. The operator, the member pods and the tests all refer to these.

import { ETCD_MEMBER_CLUSTER_ROLE, ETCD_MEMBER_SIGNER, type EtcdCluster } from '@strata/api';

/** The signerName of member CSRs; the operator is its only approver and signer (ADR 0046). */
export const MEMBER_SIGNER = ETCD_MEMBER_SIGNER;

/**
 * The ClusterRole and ClusterRoleBinding (rendered by @strata/assets) that let members' service accounts ask for
 * their certificates; the operator keeps the binding's subjects.
 */
export const MEMBER_CLUSTER_ROLE = ETCD_MEMBER_CLUSTER_ROLE;

const MEMBER_ACCOUNT_SUFFIX = '-etcd-member';

/** The service account every member pod of `cluster` runs as; the signer signs only for it. */
export const memberServiceAccount = (cluster: string): string => `${cluster}${MEMBER_ACCOUNT_SUFFIX}`;

/**
 * The subject CN of every member certificate of `cluster`; its peer port admits only this CN
 * (`--peer-cert-allowed-cn`), so that the client certificate of the same CA cannot speak raft.
 */
export const memberCommonName = (cluster: string): string => `${cluster}.etcd-member`;

/** The cluster a member service account belongs to, or undefined for any other account name. */
export function clusterOfMemberAccount(account: string): string | undefined {
  if (!account.endsWith(MEMBER_ACCOUNT_SUFFIX) || account.length === MEMBER_ACCOUNT_SUFFIX.length) return undefined;
  return account.slice(0, -MEMBER_ACCOUNT_SUFFIX.length);
}

/** Secret (kubernetes.io/tls) holding the cluster's CA certificate and key: read by the operator only. */
export const caSecretName = (cluster: string): string => `${cluster}-etcd-ca`;
/** ConfigMap with the CA certificate alone (`ca.crt`): what member pods trust. */
export const caConfigMapName = (cluster: string): string => `${cluster}-etcd-ca`;
/** Secret (kubernetes.io/tls, with ca.crt) of a client certificate for applications, and the operator's own. */
export const clientSecretName = (cluster: string): string => `${cluster}-client-tls`;

/** A member pod's certificate directory, and the files in it. */
export const MEMBER_TLS_DIR = '/etc/etcd/tls';
export const MEMBER_CA_DIR = '/etc/etcd/ca';
export const TLS_FILES = { certificate: 'tls.crt', key: 'tls.key', ca: 'ca.crt' } as const;

/** Extra fields the API server puts in a CSR from a pod-bound service-account token. */
export const POD_NAME_EXTRA = 'authentication.kubernetes.io/pod-name';
export const POD_UID_EXTRA = 'authentication.kubernetes.io/pod-uid';

/** Key usages a member certificate may carry: it serves and dials (peer), and serves clients. */
export const MEMBER_USAGES = ['digital signature', 'key encipherment', 'server auth', 'client auth'] as const;

/** The cluster's members speak https (automatic TLS, the default, or the user's secrets); plain http only when asked. */
export const usesTls = (cluster: EtcdCluster): boolean => cluster.spec.tls.disabled === undefined;
