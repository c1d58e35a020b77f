import type { V1Role } from '@kubernetes/client-node';
import { BOOT_API_GROUP, MACHINE_GROUP, MACHINE_PROFILE } from '@strata/api';

/**
 * What a boot server needs in its namespace, and nothing more: watch and
 * write the two kinds and the template ConfigMaps. (RBAC cannot narrow
 * ConfigMaps to a label, so keep the boot store in a namespace of its own.)
 * A read-only replica can drop the write verbs.
 */
export function bootServerRole(namespace: string, name = 'strata-boot-server'): V1Role {
  const read = ['get', 'list', 'watch'];
  const write = ['create', 'update', 'patch', 'delete'];
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name, namespace },
    rules: [
      {
        apiGroups: [BOOT_API_GROUP],
        resources: [MACHINE_PROFILE.plural, MACHINE_GROUP.plural],
        verbs: [...read, ...write],
      },
      { apiGroups: [''], resources: ['configmaps'], verbs: [...read, ...write] },
    ],
  };
}
