// The operator's gateway client for each EtcdCluster: plain, or presenting the cluster's client certificate (the
// automatic one, made with the cluster's CA, or the user's clientSecret) and trusting only the cluster's CA.
import type { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { EtcdCluster } from '@strata/api';
import { EtcdClient } from '../etcd/gateway-client.ts';
import { clientSecretOf, ensureAutomaticTls, readClientTls } from './cluster-tls.ts';
import { setMemberSubject } from './member-binding.ts';
import { certificateValiditySeconds, renewalTime } from './renewal.ts';
import type { EtcdClientTls } from '../etcd/tls.ts';
import { clientSecretName, memberServiceAccount } from './names.ts';

export interface ClusterTlsClientsOptions {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly rbac: RbacAuthorizationV1Api;
  readonly timeoutMs: number;
  /** Caps automatic TLS's certificate lifetime (the operator's --certificate-validity-seconds). */
  readonly validityCapSeconds?: number;
  /** The client Secret's certificate was reissued: for the cluster's Event. */
  readonly onClientRenewed?: (cluster: EtcdCluster, previous: Date, next: Date) => Promise<void>;
}

interface Cached {
  /** The cluster's UID and spec.tls the client was made for: either changing makes a new one. */
  readonly version: string;
  readonly client: EtcdClient;
  /** The credentials themselves, for a TLS handshake of the operator's own (a member's serving certificate). */
  readonly tls: EtcdClientTls | undefined;
  /** Automatic TLS: when the client certificate expires, and when it is due for renewal (a pass then renews it). */
  readonly renewal?: { readonly notAfter: Date; readonly renewAt: Date };
}

const keyOf = (cluster: EtcdCluster): string => `${cluster.metadata.namespace ?? ''}/${cluster.metadata.name}`;
const versionOf = (cluster: EtcdCluster): string => `${cluster.metadata.uid ?? ''} ${JSON.stringify(cluster.spec.tls)}`;

export class ClusterTlsClients {
  readonly #options: ClusterTlsClientsOptions;
  readonly #plain: EtcdClient;
  readonly #clients = new Map<string, Cached>();

  constructor(options: ClusterTlsClientsOptions) {
    this.#options = options;
    this.#plain = new EtcdClient({ timeoutMs: options.timeoutMs });
  }

  /** The client for `cluster`; with automatic TLS, its material is made first when `mayWrite`. */
  async clientFor(cluster: EtcdCluster, mayWrite: boolean): Promise<EtcdClient> {
    const tls = cluster.spec.tls;
    if (tls.disabled !== undefined) return this.#plain;
    const cached = this.#clients.get(keyOf(cluster));
    // Automatic TLS read without writing (this replica did not lead yet) has no renewal time: ensured once it may.
    const due = cached?.renewal === undefined ? tls.auto !== undefined : cached.renewal.renewAt.getTime() <= Date.now();
    if (cached?.version === versionOf(cluster) && !(due && mayWrite)) return cached.client;
    if (tls.auto !== undefined && mayWrite) return this.ensure(cluster);
    const namespace = cluster.metadata.namespace ?? '';
    const secret = clientSecretOf(cluster) ?? clientSecretName(cluster.metadata.name);
    return this.#remember(cluster, await readClientTls(this.#options.core, namespace, secret));
  }

  /** Makes (or confirms) automatic TLS's CA, client Secret and member service account; returns the client. */
  async ensure(cluster: EtcdCluster): Promise<EtcdClient> {
    const auto = cluster.spec.tls.auto;
    if (auto === undefined) return this.clientFor(cluster, false);
    const validitySeconds = certificateValiditySeconds(cluster, this.#options.validityCapSeconds);
    const made = await ensureAutomaticTls(
      this.#options.kubeConfig,
      this.#options.core,
      this.#options.rbac,
      cluster,
      validitySeconds,
    );
    if (made.renewedFrom !== undefined) {
      await this.#options.onClientRenewed?.(cluster, made.renewedFrom, made.clientNotAfter);
    }
    return this.#remember(cluster, made.client, {
      notAfter: made.clientNotAfter,
      renewAt: renewalTime(made.clientNotAfter, validitySeconds),
    });
  }

  /** The client credentials last used for `cluster`; undefined without TLS or before its first client. */
  credentialsOf(cluster: EtcdCluster): EtcdClientTls | undefined {
    const cached = this.#clients.get(keyOf(cluster));
    return cached?.version === versionOf(cluster) ? cached.tls : undefined;
  }

  /** When the client Secret's certificate expires (automatic TLS, once this replica ensured it). */
  clientNotAfterOf(cluster: EtcdCluster): Date | undefined {
    const cached = this.#clients.get(keyOf(cluster));
    return cached?.version === versionOf(cluster) ? cached.renewal?.notAfter : undefined;
  }

  /** The cluster is gone: its member account leaves the member binding (which no owner reference can clean). */
  async forget(namespace: string, name: string): Promise<void> {
    this.#clients.delete(`${namespace}/${name}`);
    await setMemberSubject(this.#options.rbac, { namespace, account: memberServiceAccount(name) }, false);
  }

  #remember(cluster: EtcdCluster, tls: EtcdClientTls, renewal?: Cached['renewal']): EtcdClient {
    const client = new EtcdClient({ timeoutMs: this.#options.timeoutMs, tls });
    this.#clients.set(keyOf(cluster), {
      version: versionOf(cluster),
      client,
      tls,
      ...(renewal === undefined ? {} : { renewal }),
    });
    return client;
  }
}
