// GET /api/oidc/login: starts an OpenID Connect sign-in (authorization code with PKCE, state and nonce). The
// transaction is sealed into a cookie for the callback; the browser goes on to the provider.
import { NextResponse } from 'next/server';
import { consoleConfig } from '../../../../src/server/config.ts';
import { errorAnswer } from '../../../../src/server/answers.ts';
import { beginSignIn } from '../../../../src/server/oidc/provider.ts';
import {
  sealTransaction,
  TRANSACTION_COOKIE,
  transactionCookieOptions,
} from '../../../../src/server/oidc/transaction.ts';
import { isLoopbackHost } from '../../../../src/server/session.ts';
import { log } from '../../../../src/server/log.ts';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  const { oidc, sessionSecret } = consoleConfig();
  if (oidc === undefined) return errorAnswer(404, 'OpenID Connect sign-in is not configured');
  try {
    const { url, transaction } = await beginSignIn(oidc);
    const response = NextResponse.redirect(url, 303);
    const secure = !isLoopbackHost(new URL(oidc.redirectUrl).host);
    response.cookies.set(
      TRANSACTION_COOKIE,
      await sealTransaction(transaction, sessionSecret),
      transactionCookieOptions(secure),
    );
    return response;
  } catch (error) {
    log.error(
      { issuer: oidc.issuerUrl },
      `starting an OpenID sign-in: ${error instanceof Error ? error.message : String(error)}`,
    );
    const login = new URL('/login', oidc.redirectUrl);
    login.searchParams.set('reason', 'provider-unavailable');
    return NextResponse.redirect(login, 303);
  }
}
