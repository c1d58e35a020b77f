// What the end-to-end tests read the update server's JSON API with: a
// ServiceAccount that may read the update groups (and so their machines), its
// token, and the machines' records parsed as the API answers them.
import { CoreV1Api, RbacAuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { UPDATE_GROUP } from '@strata/api';
import { z } from 'zod';

export const machinesSchema = z.object({
  items: z.array(z.object({ machineId: z.string(), alias: z.string(), currentVersion: z.string() })),
});

export const timelineSchema = z.object({
  machineId: z.string(),
  currentVersion: z.string(),
  state: z.string().nullable(),
  timeline: z.array(z.object({ state: z.string(), version: z.string(), detail: z.string() })),
});

/** Creates the ServiceAccount `name` in `default` with get and list on updategroups, and answers a token of it. */
export async function updateViewerToken(kubeConfig: KubeConfig, name = 'e2e-update-viewer'): Promise<string> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespacedServiceAccount({ namespace: 'default', body: { metadata: { name } } });
  await rbac.createClusterRole({
    body: {
      metadata: { name },
      rules: [{ apiGroups: [UPDATE_GROUP.group], resources: [UPDATE_GROUP.plural], verbs: ['get', 'list'] }],
    },
  });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: 'default' }],
    },
  });
  const token = await core.createNamespacedServiceAccountToken({
    name,
    namespace: 'default',
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  return token.status?.token ?? '';
}

/** A machine's update steps for `version`, in the order the server recorded them (holds left out). */
export function stepsFor(record: z.output<typeof timelineSchema>, version: string): string[] {
  return record.timeline
    .filter((entry) => entry.version === version)
    .map((entry) => entry.state)
    .filter((state) => state !== 'on-hold');
}
