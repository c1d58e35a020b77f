// GET /api/oidc/callback: the provider sends the browser back here with a code. The sign-in transaction's cookie is
// consumed whatever happens (a callback cannot be replayed); the state must match it, openid-client checks the
// state, nonce, PKCE and the ID token; kube-apiserver must then accept the ID token (a SelfSubjectReview with it)
// before it becomes the session's bearer.
import { cookies } from 'next/headers';
import { statusCodeOf } from '@strata/kube';
import { consoleConfig } from '../../../../src/server/config.ts';
import { errorAnswer } from '../../../../src/server/answers.ts';
import { refusalPage, signedInPage } from '../../../../src/server/oidc/outcome-page.ts';
import { completeSignIn, OidcDiscoveryError } from '../../../../src/server/oidc/provider.ts';
import { TRANSACTION_COOKIE, TRANSACTION_PATH, unsealTransaction } from '../../../../src/server/oidc/transaction.ts';
import { saveSession } from '../../../../src/server/request-session.ts';
import { whoAmI } from '../../../../src/server/who-am-i.ts';
import { log } from '../../../../src/server/log.ts';

export const dynamic = 'force-dynamic';

/** An OAuth error code as the provider may send it (RFC 6749 §4.1.2.1): anything else is not repeated back. */
const ERROR_CODE = /^[a-z_]{1,64}$/;

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function GET(request: Request): Promise<Response> {
  const { oidc, sessionSecret, apiServer } = consoleConfig();
  if (oidc === undefined) return errorAnswer(404, 'OpenID Connect sign-in is not configured');
  const store = await cookies();
  const transaction = await unsealTransaction(store.get(TRANSACTION_COOKIE)?.value, sessionSecret);
  store.delete({ name: TRANSACTION_COOKIE, path: TRANSACTION_PATH });
  // The callback as the provider addressed it: the configured URL, with the parameters the browser brought.
  const callback = new URL(oidc.redirectUrl);
  callback.search = new URL(request.url).search;
  if (transaction === undefined)
    return refusalPage(400, 'No sign-in is in progress in this browser (or it took over ten minutes): start again.');
  if (callback.searchParams.get('state') !== transaction.state)
    return refusalPage(400, 'The sign-in’s state does not match the one this browser started: it was refused.');
  const providerError = callback.searchParams.get('error');
  if (providerError !== null)
    return refusalPage(
      400,
      `The identity provider refused the sign-in${ERROR_CODE.test(providerError) ? ` (${providerError})` : ''}.`,
    );

  let issued;
  try {
    issued = await completeSignIn(oidc, callback, transaction);
  } catch (error) {
    log.warn({ issuer: oidc.issuerUrl }, `completing an OpenID sign-in: ${reasonOf(error)}`);
    if (error instanceof OidcDiscoveryError)
      return refusalPage(502, 'The identity provider could not be reached to complete the sign-in.');
    return refusalPage(400, `The identity provider’s answer was refused: ${reasonOf(error)}`);
  }
  try {
    const identity = await whoAmI(apiServer, issued.idToken);
    await saveSession({ token: issued.idToken, ...identity, oidc: issued.tokens });
  } catch (error) {
    log.warn({ server: apiServer.server }, `checking an OpenID ID token with kube-apiserver: ${reasonOf(error)}`);
    if (statusCodeOf(error) === 401)
      return refusalPage(403, 'Kubernetes does not accept this identity provider’s ID tokens (HTTP 401).');
    return refusalPage(502, `kube-apiserver could not be asked who signed in: ${reasonOf(error)}`);
  }
  return signedInPage('/nodes');
}
