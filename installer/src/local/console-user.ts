// The console's first user on a local cluster: a ServiceAccount that may read the nodes and the UpdatePolicies and
// pause or resume a policy, and read the update server's channels and groups, and nothing more, with a token that `strata up` prints for signing in to the console.
// The least that lets a new user watch an OS rollout and pause it (ADR 0058); the admin kubeconfig is never offered
// to the browser. Applied by server-side apply, so `strata up` on the same directory again finds them as they are.
import { CoreV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { StrataError, UPDATE_CHANNEL, UPDATE_GROUP, UPDATE_POLICY } from '@strata/api';
import { STRATA_CONSOLE_NAMESPACE } from '@strata/assets';
import { applyManifestObject, kubernetesApiError } from '@strata/kube';

export class ConsoleUserError extends StrataError {}

export const CONSOLE_ROLLOUT_USER = {
  namespace: STRATA_CONSOLE_NAMESPACE,
  serviceAccount: 'rollout-watcher',
  clusterRole: 'strata:console:rollout-watcher',
} as const;

const FIELD_MANAGER = 'strata-up';
/** The file in the cluster directory that holds the latest token (mode 0600): `strata up` and `strata install` write it. */
export const CONSOLE_TOKEN_FILE = 'console-token';

/** A working day: the token is printed again by the next `strata up`. */
export const CONSOLE_TOKEN_SECONDS = 8 * 60 * 60;

const RBAC = 'rbac.authorization.k8s.io';

/**
 * The ServiceAccount, its ClusterRole and the binding; and the namespace, which the bootstrap manifests create with
 * its Pod Security labels (applied here bare, so that the token does not depend on their having been applied yet).
 */
export function consoleRolloutUserObjects(): KubernetesObject[] {
  const { namespace, serviceAccount, clusterRole } = CONSOLE_ROLLOUT_USER;
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: serviceAccount, namespace } },
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRole',
      metadata: { name: clusterRole },
      rules: [
        { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
        {
          apiGroups: [UPDATE_POLICY.group],
          resources: [UPDATE_POLICY.plural],
          verbs: ['get', 'list', 'watch', 'patch'],
        },
        // The update server's channels, groups and machines on the console's update server pages (ADR 0066).
        {
          apiGroups: [UPDATE_GROUP.group],
          resources: [UPDATE_CHANNEL.plural, UPDATE_GROUP.plural],
          verbs: ['get', 'list'],
        },
      ],
    } as KubernetesObject,
    {
      apiVersion: `${RBAC}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name: clusterRole },
      roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: clusterRole },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
    } as KubernetesObject,
  ];
}

/** Applies the user (as the cluster's admin, `kubeConfig`) and returns a new token of CONSOLE_TOKEN_SECONDS. */
export async function issueConsoleRolloutToken(kubeConfig: KubeConfig): Promise<string> {
  for (const object of consoleRolloutUserObjects()) {
    try {
      await applyManifestObject(kubeConfig, object, FIELD_MANAGER);
    } catch (error) {
      throw kubernetesApiError(
        { verb: 'apply', resource: object.kind ?? '', name: object.metadata?.name ?? '' },
        error,
      );
    }
  }
  const { namespace, serviceAccount } = CONSOLE_ROLLOUT_USER;
  let answer;
  try {
    answer = await kubeConfig.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
      name: serviceAccount,
      namespace,
      body: { spec: { audiences: [], expirationSeconds: CONSOLE_TOKEN_SECONDS } },
    });
  } catch (error) {
    throw kubernetesApiError(
      { verb: 'create', resource: 'serviceaccounts/token', namespace, name: serviceAccount },
      error,
    );
  }
  const token = answer.status?.token;
  if (token === undefined || token === '')
    throw new ConsoleUserError(`the API server issued no token for ${namespace}/${serviceAccount}`, {
      namespace,
      serviceAccount,
    });
  return token;
}
