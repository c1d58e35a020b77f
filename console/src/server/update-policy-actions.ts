// The UpdatePolicy editor's calls, made as the signed-in user with their own token: the API server authorizes each
// one and has the last word on the spec (its CEL rules are the schema's, checked again there).
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { UPDATE_POLICY, updatePolicySchema } from '@strata/api';
import type { z } from 'zod';
import type { createPolicyBodySchema, editPolicyBodySchema, PolicyForEdit } from '../shared/update-policy-form.ts';
import { FIELD_MANAGER } from './workload-object.ts';

const resource = { group: UPDATE_POLICY.group, version: UPDATE_POLICY.version, plural: UPDATE_POLICY.plural };
const dryRunOf = (dryRun: boolean) => (dryRun ? { dryRun: 'All' } : {});

export async function createPolicy(
  kubeConfig: KubeConfig,
  asked: z.output<typeof createPolicyBodySchema>,
): Promise<void> {
  await kubeConfig.makeApiClient(CustomObjectsApi).createClusterCustomObject({
    ...resource,
    ...dryRunOf(asked.dryRun),
    fieldManager: FIELD_MANAGER,
    // An unknown field is refused rather than dropped: what the user asked for is what is stored.
    fieldValidation: 'Strict',
    body: {
      apiVersion: UPDATE_POLICY.apiVersion,
      kind: UPDATE_POLICY.kind,
      metadata: { name: asked.name },
      spec: asked.spec,
    },
  });
}

/** The policy as the edit form starts from it: its spec (defaults filled in) and the version it was read at. */
export async function readPolicyForEdit(kubeConfig: KubeConfig, name: string): Promise<PolicyForEdit> {
  const object: unknown = await kubeConfig
    .makeApiClient(CustomObjectsApi)
    .getClusterCustomObject({ ...resource, name });
  const policy = updatePolicySchema.parse(object);
  return { name: policy.metadata.name, resourceVersion: policy.metadata.resourceVersion ?? '', spec: policy.spec };
}

/**
 * The whole spec replaced, on the version the form was read at: a JSON patch that also sets
 * metadata.resourceVersion, which makes the API server's write conditional, so a change made meanwhile is its 409
 * rather than overwritten. A patch (not a PUT) because `patch updatepolicies` is the right the page asks about and
 * the one the console's users are given; labels, annotations and status are left as they are.
 */
export async function editPolicy(
  kubeConfig: KubeConfig,
  name: string,
  asked: z.output<typeof editPolicyBodySchema>,
): Promise<void> {
  await kubeConfig.makeApiClient(CustomObjectsApi).patchClusterCustomObject(
    {
      ...resource,
      name,
      ...dryRunOf(asked.dryRun),
      fieldManager: FIELD_MANAGER,
      fieldValidation: 'Strict',
      body: [
        { op: 'replace', path: '/metadata/resourceVersion', value: asked.resourceVersion },
        { op: 'add', path: '/spec', value: asked.spec },
      ],
    },
    setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
  );
}

export async function deletePolicy(kubeConfig: KubeConfig, name: string): Promise<void> {
  await kubeConfig.makeApiClient(CustomObjectsApi).deleteClusterCustomObject({ ...resource, name });
}
