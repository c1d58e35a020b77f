// The re-forming's plan on the EtcdCluster (annotation etcd.strata.dev/reform): written before any pod is touched and
// at each change of stage, so that a replica that takes over mid-way goes on with the same member, never another.
import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from '@kubernetes/client-node';
import { ETCD_CLUSTER, type EtcdCluster } from '@strata/api';
import { kubernetesApiError } from '@strata/kube';
import { REFORM_ANNOTATION, type ReformPlan } from './reform-plan.ts';

/**
 * Writes `plan` as the cluster's re-forming. A merge patch at the resourceVersion observed: a pass that read a stale
 * cluster (a plan recorded since) is refused with a conflict, and so cannot choose a second member.
 */
export async function recordReform(
  customObjects: CustomObjectsApi,
  cluster: EtcdCluster,
  plan: ReformPlan,
): Promise<void> {
  const namespace = cluster.metadata.namespace ?? '';
  const name = cluster.metadata.name;
  try {
    await customObjects.patchNamespacedCustomObject(
      {
        group: ETCD_CLUSTER.group,
        version: ETCD_CLUSTER.version,
        plural: ETCD_CLUSTER.plural,
        namespace,
        name,
        body: {
          metadata: {
            resourceVersion: cluster.metadata.resourceVersion,
            annotations: { [REFORM_ANNOTATION]: JSON.stringify(plan) },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  } catch (error) {
    throw kubernetesApiError({ verb: 'patch', resource: ETCD_CLUSTER.plural, namespace, name }, error);
  }
}
