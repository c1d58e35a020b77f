import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubernetesObjectApi, PatchStrategy, type V1ConfigMap } from '@kubernetes/client-node';
import { sharedControlPlane } from '../shared.ts';
import { uniqueName } from '../unique-name.ts';

describe('server-side apply', () => {
  it('changes nothing when the same object is applied twice', async () => {
    const objects = KubernetesObjectApi.makeApiClient((await sharedControlPlane()).adminKubeConfig());
    const desired: V1ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: uniqueName('ssa'), namespace: 'default', labels: { app: 'strata-test' } },
      data: { key: 'value' },
    };
    const apply = () =>
      objects.patch(desired, undefined, undefined, 'strata-test', true, PatchStrategy.ServerSideApply);
    const first = await apply();
    const second = await apply();
    assert.ok(first.metadata?.resourceVersion);
    assert.equal(second.metadata?.resourceVersion, first.metadata.resourceVersion, 'a no-op apply must not write');
    assert.equal(second.metadata?.managedFields?.length, 1);
    assert.equal(second.metadata?.managedFields?.[0]?.manager, 'strata-test');

    const changed = await objects.patch(
      { ...desired, data: { key: 'other' } },
      undefined,
      undefined,
      'strata-test',
      true,
      PatchStrategy.ServerSideApply,
    );
    assert.notEqual(changed.metadata?.resourceVersion, first.metadata.resourceVersion, 'a real change must write');
  });
});
