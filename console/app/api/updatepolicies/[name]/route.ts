// One UpdatePolicy, as the signed-in user: read for the edit form (GET), pause and resume (PATCH: a merge patch of
// spec.paused and nothing else), the form's whole-spec edit on the version it was read at (PUT, optionally a dry
// run), and delete. The page offers each only when a SelfSubjectAccessReview allows it, but the API server decides:
// its refusal (403, a 409 for a change made meanwhile) comes back with its status and message.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { UPDATE_POLICY } from '@strata/api';
import { z } from 'zod';
import { consoleConfig } from '../../../../src/server/config.ts';
import { errorAnswer, failureAnswer, readJsonBody } from '../../../../src/server/answers.ts';
import { currentSession } from '../../../../src/server/request-session.ts';
import { deletePolicy, editPolicy, readPolicyForEdit } from '../../../../src/server/update-policy-actions.ts';
import { updatePolicyRow } from '../../../../src/server/update-policy-row.ts';
import { userKubeConfig } from '../../../../src/server/user-client.ts';
import { editPolicyBodySchema, policyNameSchema } from '../../../../src/shared/update-policy-form.ts';

const RESOURCE = `${UPDATE_POLICY.plural}.${UPDATE_POLICY.group}`;
const policyChangeSchema = z.strictObject({ paused: z.boolean() });

type Context = { params: Promise<{ name: string }> };

/** The signed-in user's client and the policy's name, or the answer that refuses the request. */
async function target(context: Context) {
  const session = await currentSession();
  if (session === undefined) return errorAnswer(401, 'not signed in');
  const name = policyNameSchema.safeParse((await context.params).name);
  if (!name.success) return errorAnswer(400, 'not an UpdatePolicy name');
  return { kubeConfig: userKubeConfig(consoleConfig().apiServer, session.token), name: name.data };
}

export async function GET(_request: Request, context: Context): Promise<Response> {
  const asked = await target(context);
  if (asked instanceof Response) return asked;
  try {
    return Response.json(await readPolicyForEdit(asked.kubeConfig, asked.name));
  } catch (error) {
    return failureAnswer({ verb: 'get', resource: RESOURCE, name: asked.name }, error);
  }
}

export async function PATCH(request: Request, context: Context): Promise<Response> {
  const asked = await target(context);
  if (asked instanceof Response) return asked;
  try {
    const change = await readJsonBody(request, policyChangeSchema, 1024);
    const policy: unknown = await asked.kubeConfig.makeApiClient(CustomObjectsApi).patchClusterCustomObject(
      {
        group: UPDATE_POLICY.group,
        version: UPDATE_POLICY.version,
        plural: UPDATE_POLICY.plural,
        name: asked.name,
        body: { spec: { paused: change.paused } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    return Response.json(updatePolicyRow(policy));
  } catch (error) {
    return failureAnswer({ verb: 'patch', resource: RESOURCE, name: asked.name }, error);
  }
}

export async function PUT(request: Request, context: Context): Promise<Response> {
  const asked = await target(context);
  if (asked instanceof Response) return asked;
  try {
    const edit = await readJsonBody(request, editPolicyBodySchema, 64 * 1024);
    await editPolicy(asked.kubeConfig, asked.name, edit);
    return Response.json({ name: asked.name, dryRun: edit.dryRun });
  } catch (error) {
    return failureAnswer({ verb: 'patch', resource: RESOURCE, name: asked.name }, error);
  }
}

export async function DELETE(_request: Request, context: Context): Promise<Response> {
  const asked = await target(context);
  if (asked instanceof Response) return asked;
  try {
    await deletePolicy(asked.kubeConfig, asked.name);
    return Response.json({ name: asked.name });
  } catch (error) {
    return failureAnswer({ verb: 'delete', resource: RESOURCE, name: asked.name }, error);
  }
}
