// CustomResourceDefinitions applied to a test API server, returned once each is Established (served), so that a
// test's first custom resource is not refused as an unknown kind.
import { ApiextensionsV1Api, type KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { waitFor } from '@strata/host';
import { applyManifestObject } from '@strata/kube';

export async function installCrds(
  kubeConfig: KubeConfig,
  crds: readonly V1CustomResourceDefinition[],
  fieldManager = 'strata-test',
): Promise<void> {
  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  for (const crd of crds) {
    await applyManifestObject(kubeConfig, crd, fieldManager);
    const name = crd.metadata?.name ?? '';
    await waitFor(`${name} to be established`, async () => {
      const current = await extensions.readCustomResourceDefinition({ name });
      return current.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')
        ? true
        : undefined;
    });
  }
}
