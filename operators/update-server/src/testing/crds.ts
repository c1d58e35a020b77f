// Installs the UpdateRelease, UpdateChannel and UpdateGroup CRDs on a test API server and waits until they are served.
import { ApiextensionsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { updateServerCrds } from '@strata/api';
import { applyManifestObject } from '@strata/kube';
import { waitFor } from '@strata/host';

export async function installUpdateServerCrds(kubeConfig: KubeConfig): Promise<void> {
  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  for (const crd of updateServerCrds()) {
    await applyManifestObject(kubeConfig, crd, 'strata-test');
    const name = crd.metadata?.name ?? '';
    await waitFor(`${name} to be established`, async () => {
      const current = await extensions.readCustomResourceDefinition({ name });
      return current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')
        ? true
        : undefined;
    });
  }
}
