// The update server's actions as route handlers: the user's token forwarded with a body checked first with the
// update server's own schema, and the update server's answer passed on (its refusal with its status and words).
import type { z } from 'zod';
import { errorAnswer, readJsonBody, RequestBodyError } from './answers.ts';
import { consoleConfig } from './config.ts';
import { currentSession } from './request-session.ts';
import { askUpdateServer, unreachableMessage } from './update-server.ts';

/** The update server's bodies are at most 8 KiB; the console takes less, as its forms send a few fields. */
const MAX_BODY_BYTES = 1024;

export async function forwardToUpdateServer<B, A extends z.ZodType>(
  request: Request,
  path: string,
  bodySchema: z.ZodType<B>,
  answerSchema: A,
): Promise<Response> {
  const session = await currentSession();
  if (session === undefined) return errorAnswer(401, 'not signed in');
  const server = consoleConfig().updateServer;
  if (server === undefined) return errorAnswer(404, 'the update server is not configured for this console');
  let body: B;
  try {
    body = await readJsonBody(request, bodySchema, MAX_BODY_BYTES);
  } catch (error) {
    if (error instanceof RequestBodyError) return errorAnswer(error.status, error.message);
    throw error;
  }
  try {
    const answer = await askUpdateServer(server, session.token, { method: 'POST', path, body }, answerSchema);
    return answer.ok ? Response.json(answer.value) : errorAnswer(answer.status, answer.message);
  } catch (error) {
    return errorAnswer(502, unreachableMessage(error));
  }
}
