// What TLS adds to a member's pod: https URLs, etcd's certificate flags with client and peer certificate
// authentication, the volumes the certificates come from and, for automatic TLS, the `member-cert` init container
// that obtains the member's certificate in the pod. member-pod.ts applies it.
import type { V1Container, V1EnvVar, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { EtcdCluster } from '@strata/api';
import { SECRET_FILE_MODE } from '@strata/host';
import { CLIENT_PORT, METRICS_PORT } from '../plan/observed.ts';
import {
  caConfigMapName,
  MEMBER_CA_DIR,
  MEMBER_TLS_DIR,
  memberCommonName,
  memberServiceAccount,
  TLS_FILES,
} from './names.ts';

export type Scheme = 'http' | 'https';

export interface MemberPodTls {
  readonly scheme: Scheme;
  /** etcd's certificate flags. */
  readonly etcdFlags: readonly string[];
  readonly etcdMounts: readonly V1VolumeMount[];
  readonly volumes: readonly V1Volume[];
  /** Init containers that run before any other (member-cert). */
  readonly firstInitContainers: readonly V1Container[];
  /** What `await-member` needs to talk to members that require a client certificate. */
  readonly awaitMemberArgs: readonly string[];
  readonly awaitMemberMounts: readonly V1VolumeMount[];
  /** The port of the readiness probe: a client port with client-cert-auth refuses the kubelet. */
  readonly probe: { readonly port: number; readonly scheme: 'HTTP' | 'HTTPS' };
  readonly serviceAccountName?: string;
}

const API_ACCESS_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const PEER_DIR = '/etc/etcd/peer';
const SERVER_DIR = '/etc/etcd/server';
const CLIENT_DIR = '/etc/etcd/client';

const certificateFlags = (prefix: '' | 'peer-', dir: string, caDir: string): string[] => [
  `--${prefix}cert-file=${dir}/${TLS_FILES.certificate}`,
  `--${prefix}key-file=${dir}/${TLS_FILES.key}`,
  `--${prefix}trusted-ca-file=${caDir}/${TLS_FILES.ca}`,
  `--${prefix}client-cert-auth`,
];

const clientArgs = (dir: string, caDir: string): string[] => [
  `--cacert=${caDir}/${TLS_FILES.ca}`,
  `--cert=${dir}/${TLS_FILES.certificate}`,
  `--key=${dir}/${TLS_FILES.key}`,
];

/**
 * etcd checks a peer's client certificate against the address it connects from, by IP SAN or a DNS lookup. Where
 * pods share a host's loopback (the local platform) every peer connects from 127.0.0.1, and a member's address is
 * not known before its pod runs anyway, so the check is off; the peer port admits only certificates of the cluster's
 * CA (and, automatic TLS, with the member CN), and each side still verifies the other's server certificate by IP.
 * etcd 3.6 renamed the flag.
 */
function skipClientSanFlag(version: string): string {
  const minor = Number(version.split('.')[1] ?? '0');
  return minor >= 6 ? '--peer-skip-client-san-verification' : '--experimental-peer-skip-client-san-verification';
}

// etcd serves /readyz and /metrics in plain HTTP on its metrics URL, apart from the authenticated client port.
const metricsFlag = `--listen-metrics-urls=http://$(POD_IP):${METRICS_PORT}`;

const PLAIN: MemberPodTls = {
  scheme: 'http',
  // Also without TLS: a member without a quorum does not serve its client port, but serves its metrics, which say
  // what a re-forming decides on (../reform/).
  etcdFlags: [metricsFlag],
  etcdMounts: [],
  volumes: [],
  firstInitContainers: [],
  awaitMemberArgs: [],
  awaitMemberMounts: [],
  probe: { port: CLIENT_PORT, scheme: 'HTTP' },
};

export function memberPodTls(
  cluster: EtcdCluster,
  version: string,
  operatorImage: string,
  env: readonly V1EnvVar[],
): MemberPodTls {
  const tls = cluster.spec.tls;
  if (tls.disabled !== undefined) return PLAIN;
  const probe = { port: METRICS_PORT, scheme: 'HTTP' } as const;
  if (tls.secrets !== undefined) {
    const { peerSecret, serverSecret, clientSecret } = tls.secrets;
    return {
      scheme: 'https',
      etcdFlags: [
        ...certificateFlags('', SERVER_DIR, SERVER_DIR),
        ...certificateFlags('peer-', PEER_DIR, PEER_DIR),
        skipClientSanFlag(version),
        metricsFlag,
      ],
      etcdMounts: [
        { name: 'server-tls', mountPath: SERVER_DIR, readOnly: true },
        { name: 'peer-tls', mountPath: PEER_DIR, readOnly: true },
      ],
      volumes: [
        { name: 'server-tls', secret: { secretName: serverSecret, defaultMode: SECRET_FILE_MODE } },
        { name: 'peer-tls', secret: { secretName: peerSecret, defaultMode: SECRET_FILE_MODE } },
        { name: 'client-tls', secret: { secretName: clientSecret, defaultMode: SECRET_FILE_MODE } },
      ],
      firstInitContainers: [],
      awaitMemberArgs: clientArgs(CLIENT_DIR, CLIENT_DIR),
      awaitMemberMounts: [{ name: 'client-tls', mountPath: CLIENT_DIR, readOnly: true }],
      probe,
    };
  }
  const certificateMount = { name: 'tls', mountPath: MEMBER_TLS_DIR };
  const caMount = { name: 'ca', mountPath: MEMBER_CA_DIR, readOnly: true };
  // One certificate serves clients, serves peers and dials peers: it names the pod's IP and name, which only the
  // running pod knows; the member's own certificate (client auth too) lets await-member ask the cluster.
  return {
    scheme: 'https',
    etcdFlags: [
      ...certificateFlags('', MEMBER_TLS_DIR, MEMBER_CA_DIR),
      ...certificateFlags('peer-', MEMBER_TLS_DIR, MEMBER_CA_DIR),
      skipClientSanFlag(version),
      `--peer-cert-allowed-cn=${memberCommonName(cluster.metadata.name)}`,
      metricsFlag,
    ],
    etcdMounts: [certificateMount, caMount],
    volumes: [
      { name: 'tls', emptyDir: { medium: 'Memory' } },
      { name: 'ca', configMap: { name: caConfigMapName(cluster.metadata.name) } },
      {
        // The pod's bound token, for member-cert only (automountServiceAccountToken is off for every container).
        name: 'kube-api-access',
        projected: {
          defaultMode: SECRET_FILE_MODE,
          sources: [
            { serviceAccountToken: { path: 'token', expirationSeconds: 3600 } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      },
    ],
    firstInitContainers: [
      {
        name: 'member-cert',
        image: operatorImage,
        args: [
          'member-cert',
          `--dir=${MEMBER_TLS_DIR}`,
          `--common-name=${memberCommonName(cluster.metadata.name)}`,
          `--expiration-seconds=${tls.auto?.certificateValidityHours === undefined ? 31_536_000 : tls.auto.certificateValidityHours * 3600}`,
        ],
        env: [...env, { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
        volumeMounts: [certificateMount, { name: 'kube-api-access', mountPath: API_ACCESS_DIR, readOnly: true }],
      },
    ],
    awaitMemberArgs: clientArgs(MEMBER_TLS_DIR, MEMBER_CA_DIR),
    awaitMemberMounts: [certificateMount, caMount],
    probe,
    serviceAccountName: memberServiceAccount(cluster.metadata.name),
  };
}
