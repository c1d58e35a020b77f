// Promote a release on a channel, as the signed-in user: the update server checks the user's right to patch the
// channel (SubjectAccessReview) and that the release exists (422), and records who promoted it.
import { apiPromotionAnswerSchema } from '@strata/update-server/answers';
import { errorAnswer } from '../../../../../../src/server/answers.ts';
import { forwardToUpdateServer } from '../../../../../../src/server/update-server-route.ts';
import { promoteRequestSchema, updateObjectNameSchema } from '../../../../../../src/shared/update-server-forms.ts';

export async function POST(request: Request, context: { params: Promise<{ name: string }> }): Promise<Response> {
  const name = updateObjectNameSchema.safeParse((await context.params).name);
  if (!name.success) return errorAnswer(400, 'not an UpdateChannel name');
  return forwardToUpdateServer(
    request,
    `/channels/${name.data}/promote`,
    promoteRequestSchema,
    apiPromotionAnswerSchema,
  );
}
