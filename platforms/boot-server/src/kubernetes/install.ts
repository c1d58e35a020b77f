// Installs the MachineProfile and MachineGroup definitions, as the installer
// does for a management cluster and the tests do for their control plane.
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiextensionsV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  loadYaml,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { kubernetesError } from './api-errors.ts';
import { bootCustomResourceDefinitions } from '@strata/api';
import { KubernetesStoreError } from './errors.ts';

export interface InstallBootCrdsOptions {
  readonly fieldManager?: string;
  readonly timeoutMs?: number;
}

/** Applies both CRDs (server-side apply, so re-running is a no-op) and waits until the API server serves them. */
export async function installBootCrds(kubeConfig: KubeConfig, options: InstallBootCrdsOptions = {}): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  const extensions = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (const definition of bootCustomResourceDefinitions) {
    const name = definition.metadata?.name ?? '';
    try {
      // The definitions are in wire form (x-kubernetes-validations, default); client-node serializes a CRD through its
      // own model, which names those keys differently and drops what it does not know. Loading the object as it loads
      // YAML maps the keys, so the CEL rules and defaults reach the API server.
      const model = loadYaml<V1CustomResourceDefinition>(JSON.stringify(definition));
      await objects.patch(
        model,
        undefined,
        undefined,
        options.fieldManager ?? 'strata',
        true,
        PatchStrategy.ServerSideApply,
      );
    } catch (error) {
      throw kubernetesError(`apply CustomResourceDefinition ${name}`, error);
    }
    for (;;) {
      const current = await extensions.readCustomResourceDefinition({ name });
      if (
        current.status?.conditions?.some((condition) => condition.type === 'Established' && condition.status === 'True')
      )
        break;
      if (Date.now() > deadline)
        throw new KubernetesStoreError(`CustomResourceDefinition ${name} was not established in time`, {
          name,
          conditions: current.status?.conditions,
        });
      await sleep(100);
    }
  }
}
