// Pause and resume an UpdatePolicy, as the signed-in user: a merge patch of spec.paused and nothing else. The page
// offers it only when a SelfSubjectAccessReview allows `patch updatepolicies`, but the API server decides: its
// refusal comes back with its status and message.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { UPDATE_POLICY } from '@strata/api';
import { z } from 'zod';
import { consoleConfig } from '../../../../src/server/config.ts';
import { errorAnswer, failureAnswer, readJsonBody } from '../../../../src/server/answers.ts';
import { currentSession } from '../../../../src/server/request-session.ts';
import { updatePolicyRow } from '../../../../src/server/update-policy-row.ts';
import { userKubeConfig } from '../../../../src/server/user-client.ts';

const policyNameSchema = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
const policyChangeSchema = z.strictObject({ paused: z.boolean() });

export async function PATCH(request: Request, context: { params: Promise<{ name: string }> }): Promise<Response> {
  const session = await currentSession();
  if (session === undefined) return errorAnswer(401, 'not signed in');
  const name = policyNameSchema.safeParse((await context.params).name);
  if (!name.success) return errorAnswer(400, 'not an UpdatePolicy name');
  try {
    const change = await readJsonBody(request, policyChangeSchema, 1024);
    const custom = userKubeConfig(consoleConfig().apiServer, session.token).makeApiClient(CustomObjectsApi);
    const policy: unknown = await custom.patchClusterCustomObject(
      {
        group: UPDATE_POLICY.group,
        version: UPDATE_POLICY.version,
        plural: UPDATE_POLICY.plural,
        name: name.data,
        body: { spec: { paused: change.paused } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    return Response.json(updatePolicyRow(policy));
  } catch (error) {
    return failureAnswer(
      { verb: 'patch', resource: `${UPDATE_POLICY.plural}.${UPDATE_POLICY.group}`, name: name.data },
      error,
    );
  }
}
