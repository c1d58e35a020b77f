// The signer of etcd.strata.dev/member: it approves and signs member CSRs that member-csr-decision.ts accepts, with
// the CA of the requester's cluster, and denies the others with the reason. Facts are read afresh from the API
// server for each CSR (not from a cache): a pod deleted a moment ago must not get a certificate.
import {
  CertificatesV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1CertificateSigningRequest,
  type V1Pod,
} from '@kubernetes/client-node';
import {
  certificateSigningRequestPublicKey,
  readCertificateSigningRequest,
  type CertificateSigningRequestContents,
} from '@strata/assets';
import { type EventRecorder, Informer, isNotFound, kubernetesApiError, runWorkers, WorkQueue } from '@strata/kube';
import { operatorEventRecorder, readEtcdCluster, recordEvent } from '../custom-resources.ts';
import type { Logger } from 'pino';
import { ensureClusterCa } from './cluster-tls.ts';
import { decideMemberCsr, memberRequester } from './member-csr-decision.ts';
import { MEMBER_SIGNER } from './names.ts';
import { certificateValiditySeconds } from './renewal.ts';

const CSRS_PATH = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
const APPROVED_REASON = 'EtcdMemberApproved';
/** How soon a CSR whose pod has no IP yet is looked at again. */
const WAIT_MS = 500;

export interface MemberSignerOptions {
  readonly kubeConfig: KubeConfig;
  readonly identity: string;
  readonly logger: Logger;
  /** Writes only while this holds (the Lease's fence). */
  readonly mayWrite: () => boolean;
  /** Caps member certificates' lifetime (the operator's --certificate-validity-seconds). */
  readonly validityCapSeconds?: number;
}

const settled = (csr: V1CertificateSigningRequest): boolean =>
  (csr.status?.certificate ?? '') !== '' ||
  (csr.status?.conditions ?? []).some(
    (condition) => (condition.type === 'Denied' || condition.type === 'Failed') && condition.status === 'True',
  );

const approved = (csr: V1CertificateSigningRequest): boolean =>
  (csr.status?.conditions ?? []).some((condition) => condition.type === 'Approved' && condition.status === 'True');

export class MemberSigner {
  readonly #options: MemberSignerOptions;
  readonly #certificates: CertificatesV1Api;
  readonly #core: CoreV1Api;
  readonly #customObjects: CustomObjectsApi;
  readonly #events: EventRecorder;
  readonly #queue = new WorkQueue();
  readonly #csrs: Informer<V1CertificateSigningRequest>;

  constructor(options: MemberSignerOptions) {
    this.#options = options;
    const { kubeConfig } = options;
    this.#certificates = kubeConfig.makeApiClient(CertificatesV1Api);
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
    this.#events = operatorEventRecorder(kubeConfig, options.identity);
    this.#csrs = new Informer<V1CertificateSigningRequest>({
      kubeConfig,
      path: CSRS_PATH,
      fieldSelector: `spec.signerName=${MEMBER_SIGNER}`,
      list: (selectors) => this.#certificates.listCertificateSigningRequest(selectors),
      onChange: (change, csr) => {
        if (change !== 'delete' && !settled(csr)) this.#queue.add(csr.metadata?.name ?? '');
      },
      onError: (error, retryInMs) => options.logger.warn({ err: error, retryInMs }, 'watching member CSRs failed'),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const stopped = signal.aborted
      ? Promise.resolve()
      : new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([this.#csrs.start(), stopped]);
    const workers = signal.aborted
      ? Promise.resolve()
      : runWorkers(this.#queue, 1, (name) => this.#judge(name), {
          onError: (error, name) => {
            this.#options.logger.error({ err: error, csr: name }, 'signing failed; retrying');
            this.#queue.addAfter(name, 2000);
          },
        });
    await stopped;
    await this.#queue.shutDown();
    await Promise.all([this.#csrs.stop(), workers]);
  }

  async #judge(name: string): Promise<void> {
    const csr = this.#csrs.get(name);
    if (csr === undefined || settled(csr) || !this.#options.mayWrite()) return;
    const requester = memberRequester(csr);
    const [pod, cluster] =
      'podName' in requester
        ? await Promise.all([
            this.#readPod(requester.namespace, requester.podName),
            readEtcdCluster(this.#customObjects, requester.namespace, requester.cluster),
          ])
        : [undefined, undefined];
    let request: CertificateSigningRequestContents | { unreadable: string };
    try {
      request = await readCertificateSigningRequest(Buffer.from(csr.spec.request, 'base64').toString('utf8'));
    } catch (error) {
      request = { unreadable: error instanceof Error ? error.message : String(error) };
    }
    const decision = decideMemberCsr(csr, request, { pod, cluster });
    switch (decision.kind) {
      case 'ignore':
        return;
      case 'wait':
        this.#queue.addAfter(name, WAIT_MS);
        return;
      case 'deny':
        // Approved on an earlier look, refused now (its pod went meanwhile): an approved CSR cannot be denied, so
        // it fails, and gets no certificate either way.
        await this.#condition(csr, approved(csr) ? 'Failed' : 'Denied', decision.reason, decision.message);
        return;
      case 'sign': {
        const auto = cluster?.spec.tls.auto;
        if (cluster === undefined || auto === undefined) return;
        const current = approved(csr) ? csr : await this.#condition(csr, 'Approved', APPROVED_REASON, decision.message);
        if (current === undefined) return;
        const ca = await ensureClusterCa(this.#core, cluster);
        const validitySeconds = Math.min(
          certificateValiditySeconds(cluster, this.#options.validityCapSeconds),
          csr.spec.expirationSeconds ?? Infinity,
        );
        const certificate = await ca.certify(
          {
            commonName: decision.commonName,
            profile: 'peer',
            ipAddresses: decision.ipAddresses,
            dnsNames: decision.dnsNames,
            validityDays: 1,
            validitySeconds,
          },
          await certificateSigningRequestPublicKey(Buffer.from(csr.spec.request, 'base64').toString('utf8')),
        );
        try {
          await this.#certificates.replaceCertificateSigningRequestStatus({
            name,
            body: {
              ...current,
              status: {
                ...current.status,
                certificate: Buffer.from(certificate.toString('pem') + '\n').toString('base64'),
              },
            },
          });
        } catch (error) {
          if (isNotFound(error)) return;
          throw kubernetesApiError({ verb: 'update', resource: 'certificatesigningrequests/status', name }, error);
        }
        await this.#event(csr, 'Normal', 'MemberCertificateIssued', 'Sign', `signed ${decision.message}`);
        return;
      }
    }
  }

  async #readPod(namespace: string, name: string): Promise<V1Pod | undefined> {
    try {
      return await this.#core.readNamespacedPod({ namespace, name });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw kubernetesApiError({ verb: 'get', resource: 'pods', namespace, name }, error);
    }
  }

  /** Adds an Approved or Denied condition; undefined when the CSR is gone. */
  async #condition(
    csr: V1CertificateSigningRequest,
    type: 'Approved' | 'Denied' | 'Failed',
    reason: string,
    message: string,
  ): Promise<V1CertificateSigningRequest | undefined> {
    const name = csr.metadata?.name ?? '';
    const condition = { type, status: 'True', reason, message, lastUpdateTime: new Date() };
    const body = { ...csr, status: { ...csr.status, conditions: [...(csr.status?.conditions ?? []), condition] } };
    // Approved and Denied are written through the approval subresource, Failed (the signer's) through status.
    const subresource = type === 'Failed' ? 'status' : 'approval';
    let updated: V1CertificateSigningRequest;
    try {
      // The resourceVersion read travels with the write: a CSR changed meanwhile is a conflict, judged again.
      updated =
        type === 'Failed'
          ? await this.#certificates.replaceCertificateSigningRequestStatus({ name, body })
          : await this.#certificates.replaceCertificateSigningRequestApproval({ name, body });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw kubernetesApiError({ verb: 'update', resource: `certificatesigningrequests/${subresource}`, name }, error);
    }
    if (type !== 'Approved') await this.#event(csr, 'Warning', reason, type === 'Denied' ? 'Deny' : 'Fail', message);
    else this.#options.logger.info({ csr: name, reason }, message);
    return updated;
  }

  #event(
    csr: V1CertificateSigningRequest,
    type: 'Normal' | 'Warning',
    reason: string,
    action: string,
    note: string,
  ): Promise<void> {
    const metadata = { name: csr.metadata?.name ?? '', uid: csr.metadata?.uid };
    return recordEvent(
      this.#events,
      this.#options.logger,
      { names: CSR_NAMES, metadata },
      { type, reason, action, note },
    );
  }
}

const CSR_NAMES = {
  group: 'certificates.k8s.io',
  version: 'v1',
  apiVersion: 'certificates.k8s.io/v1',
  kind: 'CertificateSigningRequest',
  plural: 'certificatesigningrequests',
} as const;
