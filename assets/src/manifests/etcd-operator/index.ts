// The etcd operator's bootstrap manifests. Its API (EtcdCluster, EtcdBackup, EtcdRestore) is in @strata/api.
import { etcdCrds } from '@strata/api';
import type { BootstrapImages } from '../images.ts';
import type { ManifestFile } from '../manifest-file.ts';
import { etcdOperatorDeployment } from './deployment.ts';
import { etcdClusterEvenSizePolicy } from './even-size-policy.ts';
import { etcdOperatorRbac } from './rbac.ts';

export { ETCD_OPERATOR_NAMES, ETCD_OPERATOR_NAMESPACE, ETCD_OPERATOR_METRICS_PORT } from './names.ts';
export { ETCD_OPERATOR_POD_LABELS } from './deployment.ts';
export { etcdClusterEvenSizePolicy, EVEN_SIZE_WARNING } from './even-size-policy.ts';

/** The CRDs alone first (EtcdClusters are served only once they are established), then the operator. */
export function etcdOperatorFiles(images: Pick<BootstrapImages, 'etcdOperator'>): ManifestFile[] {
  return [
    { fileName: '55-etcd-operator-crds.yaml', objects: etcdCrds() },
    {
      fileName: '56-etcd-operator.yaml',
      objects: [...etcdOperatorRbac(), ...etcdClusterEvenSizePolicy(), etcdOperatorDeployment(images.etcdOperator)],
    },
  ];
}
