// The controller: CSRs and Nodes through informers, one work queue. A CSR key
// (kubelet client or serving signer) is judged and approved or denied through
// the /approval subresource; a Node key judges the serving CSRs that waited
// for the Node and deletes the bootstrap token of the node once it has
// registered, so a token that leaked after the join opens nothing.
import {
  CertificatesV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1CertificateSigningRequest,
  type V1Node,
} from '@kubernetes/client-node';
import { BOOTSTRAP_USER_PREFIX, bootstrapTokenSecretName, KUBELET_CLIENT_SIGNER, parseJoinGroup } from '@strata/api';
import { readCertificateSigningRequest, type CertificateSigningRequestContents } from '@strata/assets';
import { EventRecorder, Informer, isNotFound, kubernetesApiError, runWorkers, WorkQueue } from '@strata/kube';
import type { Logger } from 'pino';
import { decideCsr, POOL_LABEL, type DecisionContext } from '../decide/csr-decision.ts';
import { decideServingCsr, KUBELET_SERVING_SIGNER, servingRequester } from '../decide/serving-decision.ts';

/** The reason of the Approved condition; a Node's token is deleted only after a CSR approved with it. */
export const APPROVED_REASON = 'StrataJoinApproved';
/** The reason of the Approved condition of a kubelet serving CSR for the node's own names and addresses. */
export const SERVING_APPROVED_REASON = 'StrataServingApproved';
const KUBE_SYSTEM = 'kube-system';
const CSRS_PATH = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
const NODES_PATH = '/api/v1/nodes';

export interface JoinApproverOptions {
  readonly kubeConfig: KubeConfig;
  /** The cluster's controllers: a pool's token may never name one. */
  readonly controllers: readonly string[];
  /** This replica, in its Events. */
  readonly identity: string;
  readonly logger: Logger;
}

const csrKey = (name: string) => `csr/${name}`;
const nodeKey = (name: string) => `node/${name}`;

function approvedByUs(csr: V1CertificateSigningRequest): boolean {
  return (csr.status?.conditions ?? []).some(
    (condition) => condition.type === 'Approved' && condition.status === 'True' && condition.reason === APPROVED_REASON,
  );
}

/** The token id of a CSR approved for node `nodeName` with a token bound to that very node, if it is one. */
function nodeTokenOf(csr: V1CertificateSigningRequest, nodeName: string): string | undefined {
  const username = csr.spec.username ?? '';
  if (!approvedByUs(csr) || !username.startsWith(BOOTSTRAP_USER_PREFIX)) return undefined;
  const bound = (csr.spec.groups ?? []).map(parseJoinGroup).filter((target) => target !== undefined);
  return bound.length === 1 && bound[0]?.kind === 'node' && bound[0].name === nodeName
    ? username.slice(BOOTSTRAP_USER_PREFIX.length)
    : undefined;
}

export class JoinApprover {
  readonly #options: JoinApproverOptions;
  readonly #certificates: CertificatesV1Api;
  readonly #core: CoreV1Api;
  readonly #events: EventRecorder;
  readonly #queue = new WorkQueue();
  readonly #csrs: Informer<V1CertificateSigningRequest>;
  readonly #nodes: Informer<V1Node>;
  readonly #context: DecisionContext;
  /** Token Secrets this replica has seen gone, so that Node updates do not delete them again and again. */
  readonly #deletedTokens = new Set<string>();

  constructor(options: JoinApproverOptions) {
    this.#options = options;
    const { kubeConfig } = options;
    this.#certificates = kubeConfig.makeApiClient(CertificatesV1Api);
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#events = new EventRecorder(kubeConfig, {
      reportingController: 'strata.dev/join-approver',
      reportingInstance: options.identity,
    });
    const onError = (what: string) => (error: unknown, retryInMs: number | undefined) =>
      options.logger.warn({ err: error, retryInMs }, `watching ${what} failed`);
    this.#csrs = new Informer<V1CertificateSigningRequest>({
      kubeConfig,
      path: CSRS_PATH,
      list: (selectors) => this.#certificates.listCertificateSigningRequest(selectors),
      onChange: (_change, csr) => this.#queue.add(csrKey(csr.metadata?.name ?? '')),
      onError: onError('CSRs'),
    });
    this.#nodes = new Informer<V1Node>({
      kubeConfig,
      path: NODES_PATH,
      list: (selectors) => this.#core.listNode(selectors),
      onChange: (change, node) => {
        if (change !== 'delete') this.#queue.add(nodeKey(node.metadata?.name ?? ''));
      },
      onError: onError('Nodes'),
    });
    this.#context = {
      controllers: new Set(options.controllers),
      node: (name) => {
        const node = this.#nodes.get(name);
        return node === undefined ? undefined : { pool: node.metadata?.labels?.[POOL_LABEL] };
      },
    };
  }

  /** Runs until `signal` aborts: nothing is judged before both caches hold a full list. */
  async run(signal: AbortSignal): Promise<void> {
    // An already aborted signal fires no 'abort' event.
    const stopped = signal.aborted
      ? Promise.resolve()
      : new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    const synced = Promise.all([this.#csrs.start(), this.#nodes.start()]);
    await Promise.race([synced, stopped]);
    const workers = signal.aborted
      ? Promise.resolve()
      : runWorkers(this.#queue, 2, (key) => this.#handle(key), {
          onError: (error, key) => this.#options.logger.error({ err: error, key }, 'handling failed; retrying'),
        });
    await stopped;
    await this.#queue.shutDown();
    await Promise.all([this.#csrs.stop(), this.#nodes.stop(), workers]);
  }

  async #handle(key: string): Promise<void> {
    const [kind, name = ''] = key.split('/', 2);
    if (kind === 'csr') await this.#judge(name);
    else await this.#onNode(name);
  }

  async #judge(name: string): Promise<void> {
    const csr = this.#csrs.get(name);
    if (csr === undefined) return;
    if (approvedByUs(csr)) {
      // Approved before the Node registered: the Node's key retires the token once it is there.
      const nodeName = csr.spec.groups?.map(parseJoinGroup).find((target) => target?.kind === 'node')?.name;
      if (nodeName !== undefined) this.#queue.add(nodeKey(nodeName));
      return;
    }
    const serving = csr.spec.signerName === KUBELET_SERVING_SIGNER;
    if (!serving && csr.spec.signerName !== KUBELET_CLIENT_SIGNER) return;
    let request: CertificateSigningRequestContents | { unreadable: string };
    try {
      request = await readCertificateSigningRequest(Buffer.from(csr.spec.request, 'base64').toString('utf8'));
    } catch (error) {
      request = { unreadable: error instanceof Error ? error.message : String(error) };
    }
    if (serving) {
      const decision = decideServingCsr(csr, request, (nodeName) => {
        const node = this.#nodes.get(nodeName);
        return node === undefined ? undefined : { addresses: node.status?.addresses ?? [] };
      });
      // 'wait': the Node's key judges it again once the Node is registered.
      if (decision.kind === 'approve')
        await this.#write(csr, { approved: true, reason: SERVING_APPROVED_REASON, message: decision.message });
      else if (decision.kind === 'deny')
        await this.#write(csr, { approved: false, reason: decision.reason, message: decision.message });
      return;
    }
    const decision = decideCsr(csr, request, this.#context);
    if (decision.kind === 'ignore') return;
    await this.#write(
      csr,
      decision.kind === 'approve'
        ? { approved: true, reason: APPROVED_REASON, message: decision.message }
        : { approved: false, reason: decision.reason, message: decision.message },
    );
    if (decision.kind === 'approve' && decision.target.kind === 'node') this.#queue.add(nodeKey(decision.nodeName));
  }

  async #write(
    csr: V1CertificateSigningRequest,
    verdict: { readonly approved: boolean; readonly reason: string; readonly message: string },
  ): Promise<void> {
    const name = csr.metadata?.name ?? '';
    const { approved } = verdict;
    const condition = {
      type: approved ? 'Approved' : 'Denied',
      status: 'True',
      reason: verdict.reason,
      message: verdict.message,
      lastUpdateTime: new Date(),
    };
    try {
      // The resourceVersion read travels with the write: a CSR changed meanwhile is a conflict, judged again.
      await this.#certificates.replaceCertificateSigningRequestApproval({
        name,
        body: { ...csr, status: { ...csr.status, conditions: [...(csr.status?.conditions ?? []), condition] } },
      });
    } catch (error) {
      if (isNotFound(error)) return;
      throw kubernetesApiError({ verb: 'update', resource: 'certificatesigningrequests/approval', name }, error);
    }
    this.#options.logger.info({ csr: name, approved, reason: condition.reason }, verdict.message);
    await this.#events
      .record({
        regarding: {
          apiVersion: 'certificates.k8s.io/v1',
          kind: 'CertificateSigningRequest',
          name,
          uid: csr.metadata?.uid ?? name,
        },
        type: approved ? 'Normal' : 'Warning',
        reason: condition.reason,
        action: approved ? 'Approve' : 'Deny',
        note: verdict.message,
      })
      .catch((error: unknown) => this.#options.logger.warn({ err: error, csr: name }, 'recording the Event failed'));
  }

  /**
   * Once Node `nodeName` is registered: judges its serving CSRs that waited for it, and deletes the token a CSR was
   * approved with for it.
   */
  async #onNode(nodeName: string): Promise<void> {
    if (this.#nodes.get(nodeName) === undefined) return;
    for (const csr of this.#csrs.list()) {
      if (servingRequester(csr) === nodeName) this.#queue.add(csrKey(csr.metadata?.name ?? ''));
    }
    const tokens = new Set(
      this.#csrs
        .list()
        .map((csr) => nodeTokenOf(csr, nodeName))
        .filter((id) => id !== undefined && !this.#deletedTokens.has(id)),
    );
    for (const tokenId of tokens) {
      if (tokenId === undefined) continue;
      const secret = bootstrapTokenSecretName(tokenId);
      try {
        await this.#core.deleteNamespacedSecret({ name: secret, namespace: KUBE_SYSTEM });
        this.#options.logger.info({ node: nodeName, secret }, 'node registered; its bootstrap token is deleted');
      } catch (error) {
        if (!isNotFound(error))
          throw kubernetesApiError(
            { verb: 'delete', resource: 'secrets', namespace: KUBE_SYSTEM, name: secret },
            error,
          );
      }
      this.#deletedTokens.add(tokenId);
    }
  }
}
