// The tags every taggable resource of a cluster carries: Kubernetes' AWS
// integrations find a cluster's resources by the first, Strata by the second.
export const CLUSTER_TAG = 'strata.dev/cluster';

export function kubernetesClusterTag(cluster: string): string {
  return `kubernetes.io/cluster/${cluster}`;
}

export type Tags = Readonly<Record<string, string>>;

export function clusterTags(cluster: string): Tags {
  return { [kubernetesClusterTag(cluster)]: 'owned', [CLUSTER_TAG]: cluster };
}

/** The cluster's tags plus the Name the EC2 console shows. */
export function namedTags(cluster: string, name: string): Tags {
  return { ...clusterTags(cluster), Name: name };
}
