import { createPrivateKey, X509Certificate } from 'node:crypto';
import { bufferFromFileOrString, type KubeConfig, type Cluster } from '@kubernetes/client-node';
import { PooledKubeConfig } from '@strata/kube';

/** The user a node's client certificate names, and the group it puts it in. */
export const nodeUser = (nodeName: string): string => `system:node:${nodeName}`;
export const NODES_GROUP = 'system:nodes';

/**
 * Past this share of its lifetime the kubelet's certificate manager rotates a
 * client certificate (it picks a point between 70% and 90%); a certificate
 * found on disk later than that is not reused.
 */
const ROTATION_POINT = 0.7;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----\r?\n?/g;

export function pemBlocks(text: string, type: string): string[] {
  return [...text.matchAll(PEM_BLOCK)].filter((match) => match[1] === type).map((match) => match[0].trimEnd() + '\n');
}

export interface KubeletClientCertificate {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly notAfter: Date;
}

/**
 * Why a certificate kept on disk cannot be used any more, or undefined if it
 * can: it must be for this node, match its key, chain to the cluster's CA (a
 * recreated cluster has a new one) and not be due for rotation.
 */
export function unusableBecause(
  stored: { certificatePem: string; privateKeyPem: string },
  nodeName: string,
  caPems: readonly string[],
  now: Date,
): string | undefined {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(stored.certificatePem);
    if (!certificate.checkPrivateKey(createPrivateKey(stored.privateKeyPem)))
      return 'the key does not match the certificate';
  } catch (error) {
    return `unreadable: ${error instanceof Error ? error.message : String(error)}`;
  }
  const subject = certificate.subject.split('\n');
  if (!subject.includes(`CN=${nodeUser(nodeName)}`) || !subject.includes(`O=${NODES_GROUP}`)) {
    return `it is for ${certificate.subject.replace(/\n/g, ', ')}`;
  }
  if (caPems.length > 0 && !caPems.some((pem) => certificate.verify(new X509Certificate(pem).publicKey))) {
    return 'it was not issued by the cluster CA';
  }
  const notBefore = new Date(certificate.validFrom).getTime();
  const notAfter = new Date(certificate.validTo).getTime();
  if (now.getTime() >= notBefore + ROTATION_POINT * (notAfter - notBefore))
    return `it is due for rotation (expires ${certificate.validTo})`;
  return undefined;
}

/** The cluster CA certificates a kubeconfig trusts for its server. */
export function clusterCaPems(kubeConfig: KubeConfig): string[] {
  const cluster = kubeConfig.getCurrentCluster();
  const bundle = cluster === null ? null : bufferFromFileOrString(cluster.caFile, cluster.caData);
  return bundle === null ? [] : pemBlocks(bundle.toString('utf8'), 'CERTIFICATE');
}

export const notAfterOf = (certificatePem: string): Date => new Date(new X509Certificate(certificatePem).validTo);

/** The kubeconfig the kubelet writes after bootstrapping: the bootstrap kubeconfig's cluster, the node's certificate. */
export function nodeKubeConfig(
  bootstrap: KubeConfig,
  nodeName: string,
  credentials: { certificatePem: string; privateKeyPem: string },
): KubeConfig {
  const cluster = bootstrap.getCurrentCluster();
  if (cluster === null) throw new Error('the bootstrap kubeconfig has no current cluster');
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  const user = nodeUser(nodeName);
  const copy: Cluster = { ...cluster };
  const config = new PooledKubeConfig();
  config.loadFromOptions({
    clusters: [copy],
    users: [{ name: user, certData: base64(credentials.certificatePem), keyData: base64(credentials.privateKeyPem) }],
    contexts: [{ name: 'default', cluster: cluster.name, user }],
    currentContext: 'default',
  });
  return config;
}
