// Sign-in with a bearer token, and sign-out. The token is accepted only once the API server itself has said whose
// it is (a SelfSubjectReview as that token); it is then sealed into the session cookie and goes nowhere else.
// Signing out of an OpenID session revokes its refresh token and ends the provider's session too: the answer names
// the provider's end-session URL, where the browser goes next (RP-initiated logout).
import { cookies } from 'next/headers';
import { statusCodeOf } from '@strata/kube';
import { z } from 'zod';
import { consoleConfig } from '../../../src/server/config.ts';
import { errorAnswer, failureAnswer, readJsonBody } from '../../../src/server/answers.ts';
import { endSessionUrl, revokeRefreshToken } from '../../../src/server/oidc/provider.ts';
import { destroySession, saveSession } from '../../../src/server/request-session.ts';
import { SESSION_COOKIE, unsealSession } from '../../../src/server/session.ts';
import { NoUserError, whoAmI } from '../../../src/server/who-am-i.ts';
import { log } from '../../../src/server/log.ts';

/** Service-account JWTs and OIDC ID tokens are a few kilobytes; nothing larger is a token. */
const MAX_TOKEN_LENGTH = 16 * 1024;
const signInSchema = z.strictObject({ token: z.string().trim().min(1).max(MAX_TOKEN_LENGTH) });

export async function POST(request: Request): Promise<Response> {
  try {
    const { token } = await readJsonBody(request, signInSchema, MAX_TOKEN_LENGTH + 1024);
    const identity = await whoAmI(consoleConfig().apiServer, token);
    await saveSession({ token, ...identity });
    return Response.json({ user: identity.user });
  } catch (error) {
    if (error instanceof NoUserError) return errorAnswer(502, error.message);
    // client-node drops the body of a 401 (its API description declares none): the status says it all.
    if (statusCodeOf(error) === 401) return errorAnswer(401, 'the API server refused the token: HTTP 401 Unauthorized');
    return failureAnswer({ verb: 'create', resource: 'selfsubjectreviews.authentication.k8s.io' }, error);
  }
}

export async function DELETE(): Promise<Response> {
  const { oidc, sessionSecret } = consoleConfig();
  // The session as sealed, expired ID token or not: the provider takes an expired one as the logout's hint.
  const session = await unsealSession((await cookies()).get(SESSION_COOKIE)?.value, sessionSecret);
  await destroySession();
  if (session?.oidc === undefined || oidc === undefined) return new Response(null, { status: 204 });
  try {
    await revokeRefreshToken(oidc, session.oidc);
  } catch (error) {
    // Sign-out goes on: the provider's end-session step below ends the provider's session in any case.
    log.error(
      { user: session.user },
      `revoking the refresh token: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  try {
    const url = await endSessionUrl(oidc, session.token);
    return url === undefined ? new Response(null, { status: 204 }) : Response.json({ endSession: url.href });
  } catch (error) {
    log.error(
      { user: session.user },
      `ending the provider's session: ${error instanceof Error ? error.message : String(error)}`,
    );
    return errorAnswer(
      502,
      'signed out of the console, but the identity provider could not be reached to end its own session',
    );
  }
}
