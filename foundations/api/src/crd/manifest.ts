import type {
  KubernetesObject,
  V1CustomResourceDefinitionSpec,
  V1CustomResourceDefinitionVersion,
} from '@kubernetes/client-node';
import type { JsonSchema } from './structural-schema.ts';

/**
 * A CRD as written to disk and sent to the API server. client-node's model of it names the schema's keys
 * differently (`_default`, `xKubernetesValidations`), so its type does not describe this wire form; @strata/kube's
 * applyManifestObject maps one onto the other.
 */
export type CustomResourceDefinitionManifest = KubernetesObject & {
  spec: Omit<V1CustomResourceDefinitionSpec, 'versions'> & {
    versions: (Omit<V1CustomResourceDefinitionVersion, 'schema'> & { schema: { openAPIV3Schema: JsonSchema } })[];
  };
};
