// Sign-in with a bearer token, and sign-out. The token is accepted only once the API server itself has said whose
// it is (a SelfSubjectReview as that token); it is then sealed into the session cookie and goes nowhere else.
import { AuthenticationV1Api } from '@kubernetes/client-node';
import { statusCodeOf } from '@strata/kube';
import { z } from 'zod';
import { consoleConfig } from '../../../src/server/config.ts';
import { errorAnswer, failureAnswer, readJsonBody } from '../../../src/server/answers.ts';
import { destroySession, saveSession } from '../../../src/server/request-session.ts';
import { userKubeConfig } from '../../../src/server/user-client.ts';

/** Service-account JWTs and OIDC ID tokens are a few kilobytes; nothing larger is a token. */
const MAX_TOKEN_LENGTH = 16 * 1024;
const signInSchema = z.strictObject({ token: z.string().trim().min(1).max(MAX_TOKEN_LENGTH) });

export async function POST(request: Request): Promise<Response> {
  try {
    const { token } = await readJsonBody(request, signInSchema, MAX_TOKEN_LENGTH + 1024);
    const api = userKubeConfig(consoleConfig().apiServer, token).makeApiClient(AuthenticationV1Api);
    const review = await api.createSelfSubjectReview({
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    const user = review.status?.userInfo?.username;
    if (user === undefined) return errorAnswer(502, 'the API server answered the SelfSubjectReview without a user');
    await saveSession({ token, user, groups: review.status?.userInfo?.groups ?? [] });
    return Response.json({ user });
  } catch (error) {
    // client-node drops the body of a 401 (its API description declares none): the status says it all.
    if (statusCodeOf(error) === 401) return errorAnswer(401, 'the API server refused the token: HTTP 401 Unauthorized');
    return failureAnswer({ verb: 'create', resource: 'selfsubjectreviews.authentication.k8s.io' }, error);
  }
}

export async function DELETE(): Promise<Response> {
  await destroySession();
  return new Response(null, { status: 204 });
}
