// Typed builders for the signer's tests: a member pod as the operator makes it, an EtcdCluster with automatic TLS,
// and a CSR as the API server stores one made with a pod-bound token.
import type { V1CertificateSigningRequest, V1Pod } from '@kubernetes/client-node';
import { parseEtcdCluster, type EtcdCluster, type EtcdClusterSpecInput } from '@strata/api';
import {
  createCertificateSigningRequest,
  readCertificateSigningRequest,
  type CertificateSigningRequestContents,
  type SubjectAltName,
} from '@strata/assets';
import { memberPod } from '../pods/member-pod.ts';
import { MEMBER_SIGNER, MEMBER_USAGES, memberServiceAccount, POD_NAME_EXTRA, POD_UID_EXTRA } from './names.ts';

export const NAMESPACE = 'apps';

export function aTlsCluster(name = 'main', spec: Partial<EtcdClusterSpecInput> = {}): EtcdCluster {
  return parseEtcdCluster({
    apiVersion: 'etcd.strata.dev/v1alpha1',
    kind: 'EtcdCluster',
    metadata: { name, namespace: NAMESPACE, uid: `uid-of-${name}` },
    spec: { size: 3, version: '3.6.16', storage: { emptyDir: {} }, tls: { auto: {} }, ...spec },
  });
}

/** A running member pod of `cluster`, as the operator creates it, with its IP and uid. */
export function aMemberPod(cluster: EtcdCluster, name: string, ip: string): V1Pod {
  const pod = memberPod({
    cluster,
    name,
    join: { state: 'new' },
    operatorImage: 'strata/etcd-operator:dev',
    version: '3.6.16',
  });
  return {
    ...pod,
    metadata: { ...pod.metadata, uid: `uid-of-${name}` },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
  };
}

/** The PKCS#10 request a member's init container makes, read back as the signer reads it. */
export async function aRequest(
  commonName: string,
  subjectAltNames: readonly SubjectAltName[],
): Promise<CertificateSigningRequestContents> {
  const made = await createCertificateSigningRequest({ commonName, subjectAltNames });
  return readCertificateSigningRequest(made.csrPem);
}

export interface CsrOverrides {
  readonly username?: string;
  readonly extra?: Record<string, string[]>;
  readonly usages?: string[];
  readonly signerName?: string;
}

/** A CSR from `cluster`'s member account with a token bound to pod `podName` (uid `uid-of-<pod>`). */
export function aMemberCsr(
  cluster: string,
  podName: string,
  overrides: CsrOverrides = {},
): V1CertificateSigningRequest {
  return {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: `etcd-member.${NAMESPACE}.${podName}.abc123` },
    spec: {
      request: 'bm90IHJlYWQgaGVyZQ==',
      signerName: overrides.signerName ?? MEMBER_SIGNER,
      usages: overrides.usages ?? [...MEMBER_USAGES],
      username: overrides.username ?? `system:serviceaccount:${NAMESPACE}:${memberServiceAccount(cluster)}`,
      extra: overrides.extra ?? { [POD_NAME_EXTRA]: [podName], [POD_UID_EXTRA]: [`uid-of-${podName}`] },
    },
  };
}
