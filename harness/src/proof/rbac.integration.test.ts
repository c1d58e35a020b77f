import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { sharedControlPlane } from '../shared.ts';
import { uniqueName } from '../unique-name.ts';
import { waitFor } from '@strata/host';

describe('RBAC', () => {
  it('answers 403 to an authenticated user without rights, and 200 once a binding grants them', async () => {
    const cluster = await sharedControlPlane();
    const user = uniqueName('alice');
    const asUser = (await cluster.userKubeConfig(user)).makeApiClient(CoreV1Api);

    await assert.rejects(asUser.listNamespacedConfigMap({ namespace: 'default' }), (error: unknown) => {
      assert.ok(error instanceof ApiException, `expected an ApiException, got ${String(error)}`);
      assert.equal(error.code, 403);
      const status = JSON.parse(String(error.body)) as { reason?: string; message?: string };
      assert.equal(status.reason, 'Forbidden');
      assert.match(status.message ?? '', new RegExp(`User "${user}" cannot list resource "configmaps"`));
      return true;
    });

    const rbac = cluster.adminKubeConfig().makeApiClient(RbacAuthorizationV1Api);
    const binding = uniqueName('configmap-reader');
    // A Role of our own: the built-in "view" is filled in by controller-manager's
    // aggregation controller, which this control plane does not run.
    await rbac.createNamespacedRole({
      namespace: 'default',
      body: {
        metadata: { name: binding },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: 'default',
      body: {
        metadata: { name: binding },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: binding },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
      },
    });
    try {
      // The authorizer's cache takes a moment to see the new binding.
      await waitFor('the binding to take effect', async () => {
        try {
          return await asUser.listNamespacedConfigMap({ namespace: 'default' });
        } catch (error) {
          if (error instanceof ApiException && error.code === 403) return undefined;
          throw error;
        }
      });
      // Still least privilege: the role lists, it does not write, nor reach other namespaces.
      await assert.rejects(
        asUser.listNamespacedConfigMap({ namespace: 'kube-system' }),
        (error: unknown) => error instanceof ApiException && error.code === 403,
      );
      await assert.rejects(
        asUser.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: uniqueName('nope') } } }),
        (error: unknown) => error instanceof ApiException && error.code === 403,
      );
    } finally {
      await rbac.deleteNamespacedRoleBinding({ name: binding, namespace: 'default' });
      await rbac.deleteNamespacedRole({ name: binding, namespace: 'default' });
    }
  });
});
