// What a member pod's `member-cert` init container runs: it makes the member's key in the pod (the key never leaves
// it), asks the cluster's signer for a certificate through a CertificateSigningRequest made with the pod's own
// bound token, and writes key and certificate where etcd reads them. The signer checks that the token's pod is a
// live member pod whose IP and name are exactly what is asked for (member-csr-decision.ts).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CertificatesV1Api, type KubeConfig, type V1CertificateSigningRequest } from '@kubernetes/client-node';
import { StrataError } from '@strata/api';
import { createCertificateSigningRequest } from '@strata/assets';
import { SECRET_FILE_MODE, waitFor, writeFileAtomic } from '@strata/host';
import { kubernetesApiError } from '@strata/kube';
import { MEMBER_SIGNER, MEMBER_USAGES, TLS_FILES } from './names.ts';

/** The signer denied the request, or it failed: the condition's reason and message are quoted. */
export class MemberCertificateRefusedError extends StrataError {}

export interface RequestMemberCertificateOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly podName: string;
  readonly podIP: string;
  /** The cluster's member CN (names.ts memberCommonName), which the signer requires. */
  readonly commonName: string;
  /** Where tls.key (0600) and tls.crt are written. */
  readonly directory: string;
  readonly expirationSeconds?: number;
  readonly timeoutMs?: number;
}

const refusalOf = (csr: V1CertificateSigningRequest): { reason: string; message: string } | undefined => {
  const refusal = (csr.status?.conditions ?? []).find(
    (condition) => (condition.type === 'Denied' || condition.type === 'Failed') && condition.status === 'True',
  );
  return refusal === undefined ? undefined : { reason: refusal.reason ?? refusal.type, message: refusal.message ?? '' };
};

/** Returns the CSR's name once the certificate is written. */
export async function requestMemberCertificate(options: RequestMemberCertificateOptions): Promise<string> {
  const { namespace, podName, podIP } = options;
  const request = await createCertificateSigningRequest({
    commonName: options.commonName,
    subjectAltNames: [
      { type: 'ip', value: podIP },
      { type: 'dns', value: podName },
    ],
  });
  // The key is on disk (0600, in the pod's own volume) before anything is asked.
  await writeFileAtomic(join(options.directory, TLS_FILES.key), request.privateKeyPem, SECRET_FILE_MODE);
  const certificates = options.kubeConfig.makeApiClient(CertificatesV1Api);
  // A fresh name per attempt: a restarted init container has a new key, which an older request does not carry.
  const name = `etcd-member.${namespace}.${podName}.${randomBytes(3).toString('hex')}`;
  try {
    await certificates.createCertificateSigningRequest({
      body: {
        apiVersion: 'certificates.k8s.io/v1',
        kind: 'CertificateSigningRequest',
        metadata: { name },
        spec: {
          request: Buffer.from(request.csrPem).toString('base64'),
          signerName: MEMBER_SIGNER,
          usages: [...MEMBER_USAGES],
          ...(options.expirationSeconds === undefined ? {} : { expirationSeconds: options.expirationSeconds }),
        },
      },
    });
  } catch (error) {
    throw kubernetesApiError({ verb: 'create', resource: 'certificatesigningrequests', name }, error);
  }
  // Polled, not watched: watching needs list and watch on every CSR, which a member's account is not given.
  const certificate = await waitFor(
    `the certificate of CSR ${name}`,
    async () => {
      let csr: V1CertificateSigningRequest;
      try {
        csr = await certificates.readCertificateSigningRequest({ name });
      } catch (error) {
        throw kubernetesApiError({ verb: 'get', resource: 'certificatesigningrequests', name }, error);
      }
      const refusal = refusalOf(csr);
      if (refusal !== undefined) {
        throw new MemberCertificateRefusedError(`CSR ${name} was refused: ${refusal.reason}: ${refusal.message}`, {
          csr: name,
          reason: refusal.reason,
        });
      }
      const issued = csr.status?.certificate ?? '';
      return issued === '' ? undefined : Buffer.from(issued, 'base64').toString('utf8');
    },
    { timeoutMs: options.timeoutMs ?? 120_000, intervalMs: 250 },
  );
  await writeFileAtomic(join(options.directory, TLS_FILES.certificate), certificate);
  return name;
}
