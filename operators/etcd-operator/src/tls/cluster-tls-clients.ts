// The operator's gateway client for each EtcdCluster: plain, or presenting the cluster's client certificate (the
// automatic one, made with the cluster's CA, or the user's clientSecret) and trusting only the cluster's CA.
import type { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { EtcdCluster } from '@strata/api';
import { EtcdClient } from '../etcd/gateway-client.ts';
import { clientSecretOf, ensureAutomaticTls, readClientTls } from './cluster-tls.ts';
import { setMemberSubject } from './member-binding.ts';
import { clientSecretName, memberServiceAccount } from './names.ts';

export interface ClusterTlsClientsOptions {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly rbac: RbacAuthorizationV1Api;
  readonly timeoutMs: number;
}

interface Cached {
  /** The cluster's UID and spec.tls the client was made for: either changing makes a new one. */
  readonly version: string;
  readonly client: EtcdClient;
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
    if (cached?.version === versionOf(cluster)) return cached.client;
    if (tls.auto !== undefined && mayWrite) return this.ensure(cluster);
    const namespace = cluster.metadata.namespace ?? '';
    const secret = clientSecretOf(cluster) ?? clientSecretName(cluster.metadata.name);
    return this.#remember(cluster, await readClientTls(this.#options.core, namespace, secret));
  }

  /** Makes (or confirms) automatic TLS's CA, client Secret and member service account; returns the client. */
  async ensure(cluster: EtcdCluster): Promise<EtcdClient> {
    const auto = cluster.spec.tls.auto;
    if (auto === undefined) return this.clientFor(cluster, false);
    const made = await ensureAutomaticTls(
      this.#options.kubeConfig,
      this.#options.core,
      this.#options.rbac,
      cluster,
      auto.certificateValidityHours,
    );
    return this.#remember(cluster, made.client);
  }

  /** The cluster is gone: its member account leaves the member binding (which no owner reference can clean). */
  async forget(namespace: string, name: string): Promise<void> {
    this.#clients.delete(`${namespace}/${name}`);
    await setMemberSubject(this.#options.rbac, { namespace, account: memberServiceAccount(name) }, false);
  }

  #remember(
    cluster: EtcdCluster,
    tls: { readonly ca: string; readonly cert: string; readonly key: string },
  ): EtcdClient {
    const client = new EtcdClient({ timeoutMs: this.#options.timeoutMs, tls });
    this.#clients.set(keyOf(cluster), { version: versionOf(cluster), client });
    return client;
  }
}
