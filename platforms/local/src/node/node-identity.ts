import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Watch,
  type CertificatesV1Api,
  type KubeConfig,
  type V1CertificateSigningRequest,
} from '@kubernetes/client-node';
import { createCertificateSigningRequest } from '@strata/assets';
import { readFileIfPresent, SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import { describeApiError, statusCodeOf } from '@strata/kube';
import type { ApiRequestMetrics } from './api-metrics.ts';
import { NodeBootstrapError } from './errors.ts';
import {
  clusterCaPems,
  nodeKubeConfig,
  nodeUser,
  NODES_GROUP,
  notAfterOf,
  pemBlocks,
  unusableBecause,
  type KubeletClientCertificate,
} from './kubelet-certificate.ts';

export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';
const DEFAULT_TIMEOUT_MS = 120_000;
const WATCH_RETRY_MS = 250;

export interface NodeIdentityOptions {
  readonly nodeName: string;
  /** The bootstrap kubeconfig (token of a system:bootstrappers user), as /etc/kubernetes/bootstrap-kubelet.conf. */
  readonly bootstrapKubeConfig: KubeConfig;
  /** CertificatesV1Api authenticated with the bootstrap token. */
  readonly certificates: CertificatesV1Api;
  /** The node's state directory (/var/lib/kubelet); the certificate goes to pki/ in it. */
  readonly stateDir: string;
  readonly timeoutMs?: number;
  readonly now?: () => Date;
  /** Counts the CSR watches, which do not go through the keep-alive transport. */
  readonly metrics?: ApiRequestMetrics;
}

export interface NodeIdentity extends KubeletClientCertificate {
  /** Authenticates as system:node:<name>, group system:nodes. */
  readonly kubeConfig: KubeConfig;
  /** The CSR that produced the certificate; undefined if one kept on disk was reused. */
  readonly csrName: string | undefined;
}

/** Where the kubelet keeps its client certificate and key, together in one file. */
export const kubeletClientPemPath = (stateDir: string): string => join(stateDir, 'pki', 'kubelet-client-current.pem');
/** A key and request sent but not yet answered, so a restart waits for the same CSR instead of filing another. */
const pendingPath = (stateDir: string): string => join(stateDir, 'pki', 'kubelet-client-pending.pem');

/**
 * The node's client identity, as kubelet TLS bootstrapping gets it: the
 * certificate kept in the state directory if it is still good, else a new key
 * and a CertificateSigningRequest for CN=system:node:<name>, O=system:nodes
 * that kube-controller-manager approves and signs.
 */
export async function obtainNodeIdentity(options: NodeIdentityOptions): Promise<NodeIdentity> {
  const now = options.now ?? (() => new Date());
  const stored = await readFileIfPresent(kubeletClientPemPath(options.stateDir));
  if (stored !== undefined) {
    const certificatePem = pemBlocks(stored, 'CERTIFICATE')[0];
    const privateKeyPem = pemBlocks(stored, 'PRIVATE KEY')[0];
    if (certificatePem !== undefined && privateKeyPem !== undefined) {
      const credentials = { certificatePem, privateKeyPem };
      if (
        unusableBecause(credentials, options.nodeName, clusterCaPems(options.bootstrapKubeConfig), now()) === undefined
      ) {
        return identity(options, credentials, undefined);
      }
    }
  }
  return bootstrap(options, now);
}

function identity(
  options: NodeIdentityOptions,
  credentials: { certificatePem: string; privateKeyPem: string },
  csrName: string | undefined,
): NodeIdentity {
  return {
    ...credentials,
    notAfter: notAfterOf(credentials.certificatePem),
    kubeConfig: nodeKubeConfig(options.bootstrapKubeConfig, options.nodeName, credentials),
    csrName,
  };
}

async function bootstrap(options: NodeIdentityOptions, now: () => Date): Promise<NodeIdentity> {
  const { nodeName, stateDir } = options;
  const pending = await readFileIfPresent(pendingPath(stateDir));
  let csrPem = pending === undefined ? undefined : pemBlocks(pending, 'CERTIFICATE REQUEST')[0];
  let privateKeyPem = pending === undefined ? undefined : pemBlocks(pending, 'PRIVATE KEY')[0];
  if (csrPem === undefined || privateKeyPem === undefined) {
    ({ csrPem, privateKeyPem } = await createCertificateSigningRequest({
      commonName: nodeUser(nodeName),
      organizations: [NODES_GROUP],
    }));
    await writeFileAtomic(pendingPath(stateDir), privateKeyPem + csrPem, SECRET_FILE_MODE);
  }
  // Named after the request, as the kubelet names its CSRs after a digest of key and subject: the same request is the same CSR.
  const csrName = `node-csr-${createHash('sha256').update(csrPem).digest('hex').slice(0, 40)}`;
  const request = Buffer.from(csrPem, 'utf8').toString('base64');
  const csr = await submit(options, csrName, request);
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const certificatePem = await awaitCertificate(options, csr, deadline);
  const credentials = { certificatePem, privateKeyPem };
  const refusal = unusableBecause(credentials, nodeName, clusterCaPems(options.bootstrapKubeConfig), now());
  if (refusal !== undefined) {
    throw new NodeBootstrapError(
      `CSR ${csrName} of node ${nodeName} was signed, but the certificate is unusable: ${refusal}`,
      {
        node: nodeName,
        csr: csrName,
      },
    );
  }
  await writeFileAtomic(kubeletClientPemPath(stateDir), certificatePem + privateKeyPem, SECRET_FILE_MODE);
  await rm(pendingPath(stateDir), { force: true });
  return identity(options, credentials, csrName);
}

/** Who files a CSR and how it waits for it: the bootstrap identity for the client certificate, the node's own for serving. */
export type CsrOptions = Pick<NodeIdentityOptions, 'nodeName' | 'certificates' | 'timeoutMs' | 'metrics'> & {
  /** Watches the CSR. */
  readonly bootstrapKubeConfig: KubeConfig;
};

/** Files a CSR (or finds the same request filed before under its name). */
export async function submit(
  options: CsrOptions,
  name: string,
  request: string,
  signerName: string = KUBELET_CLIENT_SIGNER,
  usages: readonly string[] = ['digital signature', 'client auth'],
): Promise<V1CertificateSigningRequest> {
  const body: V1CertificateSigningRequest = {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request, signerName, usages: [...usages] },
  };
  try {
    return await options.certificates.createCertificateSigningRequest({ body });
  } catch (error) {
    if (statusCodeOf(error) !== 409) {
      throw new NodeBootstrapError(
        `node ${options.nodeName} could not file CSR ${name}: ${describeApiError(error)}`,
        { node: options.nodeName, csr: name },
        { cause: error },
      );
    }
    const existing = await options.certificates.readCertificateSigningRequest({ name });
    if (existing.spec.request !== request) {
      throw new NodeBootstrapError(`CSR ${name} exists with a different request`, {
        node: options.nodeName,
        csr: name,
      });
    }
    return existing;
  }
}

type Outcome =
  | { readonly kind: 'issued'; readonly certificatePem: string }
  | { readonly kind: 'refused'; readonly reason: string; readonly message: string; readonly type: string }
  | { readonly kind: 'pending'; readonly observed: string };

export function csrOutcome(csr: V1CertificateSigningRequest): Outcome {
  const conditions = csr.status?.conditions ?? [];
  const refusal = conditions.find(
    (condition) => (condition.type === 'Denied' || condition.type === 'Failed') && condition.status === 'True',
  );
  if (refusal !== undefined) {
    return {
      kind: 'refused',
      type: refusal.type,
      reason: refusal.reason ?? refusal.type,
      message: refusal.message ?? '',
    };
  }
  const approved = conditions.some((condition) => condition.type === 'Approved' && condition.status === 'True');
  const issued = csr.status?.certificate;
  if (approved && issued !== undefined && issued !== '') {
    return { kind: 'issued', certificatePem: Buffer.from(issued, 'base64').toString('utf8') };
  }
  return { kind: 'pending', observed: approved ? 'approved, not yet signed' : 'neither approved nor denied' };
}

/** Waits until the CSR is issued (its certificate PEM), denied or failed (NodeBootstrapError), or the deadline passes. */
export async function awaitCertificate(
  options: CsrOptions,
  initial: V1CertificateSigningRequest,
  deadline: number,
): Promise<string> {
  const name = initial.metadata?.name ?? '';
  let csr = initial;
  for (;;) {
    const outcome = csrOutcome(csr);
    if (outcome.kind === 'issued') return outcome.certificatePem;
    if (outcome.kind === 'refused') {
      const message = outcome.message === '' ? '' : `: ${outcome.message}`;
      throw new NodeBootstrapError(
        `CSR ${name} of node ${options.nodeName} was ${outcome.type === 'Denied' ? 'denied' : 'not signed'} (${outcome.reason}${message})`,
        {
          node: options.nodeName,
          csr: name,
          condition: outcome.type,
          reason: outcome.reason,
        },
      );
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new NodeBootstrapError(
        `CSR ${name} of node ${options.nodeName} was not signed within ${options.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms: it is ${outcome.observed}` +
          ` (is kube-controller-manager running with --cluster-signing-cert-file, and may system:bootstrappers create nodeclient CSRs?)`,
        { node: options.nodeName, csr: name, observed: outcome.observed },
      );
    }
    const next = await nextVersion(options, csr, remaining);
    // A watch that ends at once (refused, server going away) must not turn into a busy loop of reads.
    if (!next.watched) await sleep(Math.min(WATCH_RETRY_MS, Math.max(0, deadline - Date.now())));
    csr = next.csr;
  }
}

/** The CSR's next version, from a watch as the kubelet waits; on a watch that ends or times out, a fresh read. */
async function nextVersion(
  options: CsrOptions,
  csr: V1CertificateSigningRequest,
  waitMs: number,
): Promise<{ csr: V1CertificateSigningRequest; watched: boolean }> {
  const name = csr.metadata?.name ?? '';
  const changed = await new Promise<V1CertificateSigningRequest | undefined>((resolve) => {
    let abort: AbortController | undefined;
    let settled = false;
    const settle = (value: V1CertificateSigningRequest | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      abort?.abort();
      resolve(value);
    };
    const timer = setTimeout(() => settle(undefined), waitMs);
    options.metrics?.record({ verb: 'watch', resource: 'certificatesigningrequests' }, 200);
    new Watch(options.bootstrapKubeConfig)
      .watch(
        '/apis/certificates.k8s.io/v1/certificatesigningrequests',
        { fieldSelector: `metadata.name=${name}`, resourceVersion: csr.metadata?.resourceVersion },
        (type: string, object: V1CertificateSigningRequest) => {
          if (type === 'ADDED' || type === 'MODIFIED') settle(object);
        },
        () => settle(undefined),
      )
      .then(
        (controller) => {
          abort = controller;
          if (settled) controller.abort();
        },
        () => settle(undefined),
      );
  });
  if (changed !== undefined) return { csr: changed, watched: true };
  return { csr: await options.certificates.readCertificateSigningRequest({ name }), watched: false };
}
