// A user for RBAC tests: a ServiceAccount, a ClusterRole with `rules` bound to
// it (none: no rights at all), and a token the API server accepts.
import { CoreV1Api, RbacAuthorizationV1Api, type KubeConfig, type V1PolicyRule } from '@kubernetes/client-node';

export interface ServiceAccountUser {
  /** system:serviceaccount:<namespace>:<name>, as TokenReview names it. */
  readonly username: string;
  readonly token: string;
  /** Deletes what was created, binding first. */
  remove(): Promise<void>;
}

export async function aServiceAccountUser(
  kubeConfig: KubeConfig,
  options: { readonly namespace: string; readonly name: string; readonly rules: readonly V1PolicyRule[] },
): Promise<ServiceAccountUser> {
  const { namespace, name, rules } = options;
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  const removals: (() => Promise<unknown>)[] = [];
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  removals.push(() => core.deleteNamespacedServiceAccount({ namespace, name }));
  if (rules.length > 0) {
    await rbac.createClusterRole({ body: { metadata: { name }, rules: [...rules] } });
    removals.push(() => rbac.deleteClusterRole({ name }));
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      },
    });
    removals.push(() => rbac.deleteClusterRoleBinding({ name }));
  }
  const answer = await core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  return {
    username: `system:serviceaccount:${namespace}:${name}`,
    token: answer.status?.token ?? '',
    remove: async () => {
      for (const removal of removals.reverse()) await removal();
    },
  };
}
