// A local test cluster whose bootstrap manifests install the etcd operator as `strata up` does (its image mapped to
// this checkout's binary), a namespace for the test's EtcdClusters, and a replica leading. Used by the integration
// tests and the benchmark; starts on the fixed loopback addresses (run under the shared lock).
import { CoordinationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { ETCD_OPERATOR_IMAGE, ETCD_OPERATOR_NAMES, ETCD_OPERATOR_NAMESPACE } from '@strata/assets';
import { uniqueName, waitFor } from '@strata/harness';
import { startTestCluster, type TestCluster } from '@strata/platform-local/testing';
import { ETCD_OPERATOR_LOCAL_COMMAND } from './index.ts';
import { LocalEtcdClusters } from './local-etcd-cluster.ts';

export interface OperatorTestCluster {
  readonly cluster: TestCluster;
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly namespace: string;
  readonly clusters: LocalEtcdClusters;
}

/** The holder of the operator's Lease (a replica's pod name), once one leads. */
export async function operatorLeader(kubeConfig: KubeConfig, timeoutMs = 60_000): Promise<string> {
  return waitFor(
    'a replica of the etcd operator to lead',
    async () => {
      const lease = await kubeConfig
        .makeApiClient(CoordinationV1Api)
        .readNamespacedLease({ namespace: ETCD_OPERATOR_NAMESPACE, name: ETCD_OPERATOR_NAMES.lease });
      const holder = lease.spec?.holderIdentity;
      return holder?.startsWith(`${ETCD_OPERATOR_NAMES.operator}-`) === true ? holder : undefined;
    },
    { timeoutMs, intervalMs: 250, retryErrors: true },
  );
}

export interface OperatorTestClusterOptions {
  /**
   * The operator image's environment (its replicas and its init containers), e.g.
   * ETCD_OPERATOR_CERTIFICATE_VALIDITY_SECONDS to shorten certificate lifetimes.
   */
  readonly operatorEnv?: Readonly<Record<string, string>>;
}

export async function startOperatorTestCluster(
  namespacePrefix: string,
  options: OperatorTestClusterOptions = {},
): Promise<OperatorTestCluster> {
  const cluster = await startTestCluster({
    workers: 2,
    images: {
      [ETCD_OPERATOR_IMAGE]: {
        command: [...ETCD_OPERATOR_LOCAL_COMMAND],
        ...(options.operatorEnv === undefined ? {} : { env: { ...options.operatorEnv } }),
      },
    },
  });
  const kubeConfig = cluster.adminKubeConfig();
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const namespace = uniqueName(namespacePrefix);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await operatorLeader(kubeConfig);
  return { cluster, kubeConfig, core, namespace, clusters: new LocalEtcdClusters(kubeConfig, namespace) };
}
