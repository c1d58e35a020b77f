// Creates an UpdatePolicy as the signed-in user (or, with dryRun, has the API server check it and store nothing).
// The body is checked with the form's schema, the CRD's own; the API server decides: its refusal (RBAC, a name taken,
// a rule of the CRD) comes back with its status and message.
import { UPDATE_POLICY } from '@strata/api';
import { consoleConfig } from '../../../src/server/config.ts';
import { errorAnswer, failureAnswer, readJsonBody } from '../../../src/server/answers.ts';
import { currentSession } from '../../../src/server/request-session.ts';
import { createPolicy } from '../../../src/server/update-policy-actions.ts';
import { userKubeConfig } from '../../../src/server/user-client.ts';
import { createPolicyBodySchema } from '../../../src/shared/update-policy-form.ts';

export async function POST(request: Request): Promise<Response> {
  const session = await currentSession();
  if (session === undefined) return errorAnswer(401, 'not signed in');
  let name: string | undefined;
  try {
    const asked = await readJsonBody(request, createPolicyBodySchema, 64 * 1024);
    name = asked.name;
    await createPolicy(userKubeConfig(consoleConfig().apiServer, session.token), asked);
    return Response.json({ name, dryRun: asked.dryRun }, { status: asked.dryRun ? 200 : 201 });
  } catch (error) {
    return failureAnswer(
      {
        verb: 'create',
        resource: `${UPDATE_POLICY.plural}.${UPDATE_POLICY.group}`,
        ...(name === undefined ? {} : { name }),
      },
      error,
    );
  }
}
