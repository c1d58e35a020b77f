// The kubelet's serving certificate, as serverTLSBootstrap gets it: a kubernetes.io/kubelet-serving CSR filed with the
// node's own credentials, for CN=system:node:<name>, O=system:nodes and the node's name and address, which the join
// approver approves (only for names and addresses the Node registered) and kube-controller-manager signs.
import { createHash, X509Certificate } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CertificatesV1Api, KubeConfig } from '@kubernetes/client-node';
import { createCertificateSigningRequest } from '@strata/assets';
import { readFileIfPresent, SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import type { ApiRequestMetrics } from './api-metrics.ts';
import { NodeBootstrapError } from './errors.ts';
import { nodeUser, NODES_GROUP, pemBlocks, unusableBecause } from './kubelet-certificate.ts';
import { awaitCertificate, submit } from './node-identity.ts';

export const KUBELET_SERVING_SIGNER = 'kubernetes.io/kubelet-serving';
/** An ECDSA key: no key encipherment, as the kubelet asks for its ECDSA serving key. */
const SERVING_USAGES = ['digital signature', 'server auth'];

export interface ServingCertificateOptions {
  readonly nodeName: string;
  /** The node's InternalIP, which kube-apiserver connects to. */
  readonly address: string;
  /** The node's own credentials (system:node:<name>). */
  readonly kubeConfig: KubeConfig;
  readonly certificates: CertificatesV1Api;
  readonly stateDir: string;
  /** The cluster CA the certificate must chain to (from the node's kubeconfig). */
  readonly caPems: readonly string[];
  readonly timeoutMs: number;
  readonly metrics?: ApiRequestMetrics;
  readonly now?: () => Date;
}

export interface ServingCertificate {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

/** Where the kubelet keeps its serving certificate and key (its pki/kubelet-server-current.pem). */
export const kubeletServingPemPath = (stateDir: string): string => join(stateDir, 'pki', 'kubelet-server-current.pem');
const pendingPath = (stateDir: string): string => join(stateDir, 'pki', 'kubelet-server-pending.pem');

function servingProblem(stored: ServingCertificate, options: ServingCertificateOptions, now: Date): string | undefined {
  const refusal = unusableBecause(stored, options.nodeName, options.caPems, now);
  if (refusal !== undefined) return refusal;
  const certificate = new X509Certificate(stored.certificatePem);
  return certificate.checkIP(options.address) === undefined ? `it is not for ${options.address}` : undefined;
}

/** The serving certificate kept on disk if it is still good for this node and address, else a new one through a CSR. */
export async function obtainServingCertificate(options: ServingCertificateOptions): Promise<ServingCertificate> {
  const now = options.now ?? (() => new Date());
  const stored = await readFileIfPresent(kubeletServingPemPath(options.stateDir));
  if (stored !== undefined) {
    const certificatePem = pemBlocks(stored, 'CERTIFICATE')[0];
    const privateKeyPem = pemBlocks(stored, 'PRIVATE KEY')[0];
    if (certificatePem !== undefined && privateKeyPem !== undefined) {
      const kept = { certificatePem, privateKeyPem };
      if (servingProblem(kept, options, now()) === undefined) return kept;
    }
  }
  const pending = await readFileIfPresent(pendingPath(options.stateDir));
  let csrPem = pending === undefined ? undefined : pemBlocks(pending, 'CERTIFICATE REQUEST')[0];
  let privateKeyPem = pending === undefined ? undefined : pemBlocks(pending, 'PRIVATE KEY')[0];
  if (csrPem === undefined || privateKeyPem === undefined) {
    ({ csrPem, privateKeyPem } = await createCertificateSigningRequest({
      commonName: nodeUser(options.nodeName),
      organizations: [NODES_GROUP],
      subjectAltNames: [
        { type: 'dns', value: options.nodeName },
        { type: 'ip', value: options.address },
      ],
    }));
    await writeFileAtomic(pendingPath(options.stateDir), privateKeyPem + csrPem, SECRET_FILE_MODE);
  }
  const csrName = `csr-${createHash('sha256').update(csrPem).digest('hex').slice(0, 40)}`;
  const csrOptions = {
    nodeName: options.nodeName,
    bootstrapKubeConfig: options.kubeConfig,
    certificates: options.certificates,
    timeoutMs: options.timeoutMs,
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  };
  const request = Buffer.from(csrPem, 'utf8').toString('base64');
  const csr = await submit(csrOptions, csrName, request, KUBELET_SERVING_SIGNER, SERVING_USAGES);
  const certificatePem = await awaitCertificate(csrOptions, csr, Date.now() + options.timeoutMs);
  const issued = { certificatePem, privateKeyPem };
  const problem = servingProblem(issued, options, now());
  if (problem !== undefined) {
    throw new NodeBootstrapError(
      `serving CSR ${csrName} of node ${options.nodeName} was signed, but the certificate is unusable: ${problem}`,
      { node: options.nodeName, csr: csrName },
    );
  }
  await writeFileAtomic(kubeletServingPemPath(options.stateDir), certificatePem + privateKeyPem, SECRET_FILE_MODE);
  await rm(pendingPath(options.stateDir), { force: true });
  return issued;
}
