// Pause or resume a group's grants, as the signed-in user: the update server checks the user's right to patch the
// group and records who in an Event.
import { apiPauseAnswerSchema } from '@strata/update-server/answers';
import { z } from 'zod';
import { errorAnswer } from '../../../../../../src/server/answers.ts';
import { forwardToUpdateServer } from '../../../../../../src/server/update-server-route.ts';
import { updateObjectNameSchema } from '../../../../../../src/shared/update-server-forms.ts';

const actionSchema = z.enum(['pause', 'resume']);

export async function POST(
  request: Request,
  context: { params: Promise<{ name: string; action: string }> },
): Promise<Response> {
  const params = await context.params;
  const name = updateObjectNameSchema.safeParse(params.name);
  if (!name.success) return errorAnswer(400, 'not an UpdateGroup name');
  const action = actionSchema.safeParse(params.action);
  if (!action.success) return errorAnswer(404, `no such action: ${params.action}`);
  return forwardToUpdateServer(
    request,
    `/groups/${name.data}/${action.data}`,
    z.strictObject({}),
    apiPauseAnswerSchema,
  );
}
