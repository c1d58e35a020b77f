import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, Watch, type V1ConfigMap } from '@kubernetes/client-node';
import { sharedControlPlane } from '../shared.ts';
import { uniqueName } from '../unique-name.ts';
import { waitFor } from '@strata/host';

describe('watch', () => {
  it('sees ADDED, MODIFIED and DELETED for an object', async () => {
    const config = (await sharedControlPlane()).adminKubeConfig();
    const core = config.makeApiClient(CoreV1Api);
    const name = uniqueName('watched');
    const seen: string[] = [];
    const controller = await new Watch(config).watch(
      '/api/v1/namespaces/default/configmaps',
      { fieldSelector: `metadata.name=${name}` },
      (phase: string, object: V1ConfigMap) => {
        if (object.metadata?.name === name) seen.push(`${phase}:${object.data?.['step'] ?? ''}`);
      },
      () => undefined,
    );
    try {
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name }, data: { step: '1' } } });
      await core.replaceNamespacedConfigMap({
        name,
        namespace: 'default',
        body: { metadata: { name }, data: { step: '2' } },
      });
      await core.deleteNamespacedConfigMap({ name, namespace: 'default' });
      await waitFor('three watch events', () => (seen.length >= 3 ? true : undefined));
      assert.deepEqual(seen, ['ADDED:1', 'MODIFIED:2', 'DELETED:2']);
    } finally {
      controller.abort();
    }
  });
});
