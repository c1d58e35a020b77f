// Every request passes here first (Next.js's proxy, formerly middleware). There is no way in without a session:
// a page redirects to /login, an API route answers 401. Every mutating request must pass the CSRF checks, signed in
// or not (a forged sign-in is an attack too). An OpenID session's ID token is renewed here, before the request
// reaches a page or route handler, which then see the renewed session. Route handlers read the session again
// themselves: this is the gate, not the only lock.
import { NextResponse, type NextRequest } from 'next/server';
import { consoleConfig } from './src/server/config.ts';
import { CSRF_COOKIE, csrfRefusal, newCsrfToken } from './src/server/csrf.ts';
import { SessionRenewer } from './src/server/oidc/renew.ts';
import {
  ENDED_COOKIE,
  isLoopbackHost,
  SESSION_COOKIE,
  SESSION_TTL_SECONDS,
  sealSession,
  sessionOptions,
  unsealSession,
} from './src/server/session.ts';

/** Why a sign-in page shows a message: the session ended because the provider would not renew it. */
const SESSION_ENDED = 'session-ended';

/** One per console process, so that concurrent requests of one session share a refresh. */
const renewer = new SessionRenewer();

/** What may be reached without a session: the sign-in page, the sign-in call, and the OpenID sign-in's two steps. */
function isPublic(request: NextRequest): boolean {
  const path = request.nextUrl.pathname;
  return (
    path === '/login' ||
    (path === '/api/session' && request.method === 'POST') ||
    path === '/api/oidc/login' ||
    path === '/api/oidc/callback'
  );
}

function hostOf(request: NextRequest): string {
  return request.headers.get('host') ?? request.nextUrl.host;
}

function withCsrfCookie(request: NextRequest, response: NextResponse): NextResponse {
  if (request.cookies.get(CSRF_COOKIE) === undefined) {
    response.cookies.set(CSRF_COOKIE, newCsrfToken(), {
      // Readable by the console's own scripts, which echo it in a header: that is the double submit.
      httpOnly: false,
      sameSite: 'strict',
      secure: !isLoopbackHost(hostOf(request)),
      path: '/',
    });
  }
  return response;
}

/**
 * The origin as the browser addressed it. Next.js's own URL names the address it listens on (which may be
 * "localhost" where the browser used 127.0.0.1), so the Host header decides.
 */
function addressedOrigin(request: NextRequest): string {
  return `${request.nextUrl.protocol}//${hostOf(request)}`;
}

function signInAgain(request: NextRequest, origin: string, reason?: string): NextResponse {
  if (request.nextUrl.pathname.startsWith('/api/'))
    return NextResponse.json(
      {
        error:
          reason === undefined
            ? 'not signed in'
            : 'your session has ended: the identity provider did not renew it; sign in again',
      },
      { status: 401 },
    );
  const login = new URL('/login', origin);
  if (reason !== undefined) login.searchParams.set('reason', reason);
  return withCsrfCookie(request, NextResponse.redirect(login, 303));
}

/**
 * A signed-in request's answer: the CSRF cookie where it is missing. The note of an ended session stays: a request
 * that left with the session still current (a prefetch, a second tab) may be answered after the one that ended it,
 * and dropping the note then would send the next page to the sign-in without saying why; signing in drops it.
 */
function signedIn(request: NextRequest, response: NextResponse): NextResponse {
  return withCsrfCookie(request, response);
}

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const origin = addressedOrigin(request);
  const refusal = csrfRefusal({
    method: request.method,
    origin,
    headers: request.headers,
    csrfCookie: request.cookies.get(CSRF_COOKIE)?.value,
  });
  if (refusal !== undefined) return NextResponse.json({ error: `refused: ${refusal}` }, { status: 403 });

  const { sessionSecret, oidc } = consoleConfig();
  const session = await unsealSession(request.cookies.get(SESSION_COOKIE)?.value, sessionSecret);
  if (session === undefined) {
    if (isPublic(request)) return withCsrfCookie(request, NextResponse.next());
    const ended = request.cookies.get(ENDED_COOKIE)?.value === SESSION_ENDED;
    return signInAgain(request, origin, ended ? SESSION_ENDED : undefined);
  }
  const renewal = await renewer.renewIfDue(oidc, session);
  if (renewal.kind === 'ended') {
    const response = isPublic(request) ? NextResponse.next() : signInAgain(request, origin, SESSION_ENDED);
    response.cookies.delete(SESSION_COOKIE);
    response.cookies.set(ENDED_COOKIE, SESSION_ENDED, {
      httpOnly: true,
      sameSite: 'strict',
      secure: !isLoopbackHost(hostOf(request)),
      path: '/',
      maxAge: 60,
    });
    return withCsrfCookie(request, response);
  }
  if (renewal.kind === 'current') return signedIn(request, NextResponse.next());
  // The renewed session goes to the browser, and to this very request's handler in place of the one it brought.
  const sealed = await sealSession(renewal.session, sessionSecret);
  request.cookies.set(SESSION_COOKIE, sealed);
  const response = NextResponse.next({ request: { headers: new Headers(request.headers) } });
  response.cookies.set(SESSION_COOKIE, sealed, {
    ...sessionOptions(sessionSecret, hostOf(request)).cookieOptions,
    // As iron-session sets it: the cookie goes a minute before the seal's own expiry.
    maxAge: SESSION_TTL_SECONDS - 60,
  });
  return signedIn(request, response);
}

export const config = {
  // Everything but Next.js's own static assets, which hold no data.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
