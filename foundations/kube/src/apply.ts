import {
  KubernetesObjectApi,
  PatchStrategy,
  loadYaml,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';

/**
 * A manifest object (wire form, as written to disk) mapped onto @kubernetes/client-node's models. The client
 * serializes built-in kinds through those models, which name some keys differently from the wire (a CRD schema's
 * `x-kubernetes-validations` is `xKubernetesValidations`, `default` is `_default`) and drop keys they do not know:
 * sent as plain data, a CRD would lose its CEL rules and int-or-string markers. Loading it as client-node loads
 * YAML maps the keys.
 */
export function toClientModel<T extends KubernetesObject>(object: T): T {
  return loadYaml<T>(JSON.stringify(object));
}

/** Server-side apply of one manifest object in its wire form (see toClientModel), forcing ownership of its fields. */
export function applyManifestObject(
  kubeConfig: KubeConfig,
  object: KubernetesObject,
  fieldManager: string,
): Promise<KubernetesObject> {
  return KubernetesObjectApi.makeApiClient(kubeConfig).patch(
    toClientModel(object),
    undefined,
    undefined,
    fieldManager,
    true,
    PatchStrategy.ServerSideApply,
  );
}
