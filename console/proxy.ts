// Every request passes here first (Next.js's proxy, formerly middleware). There is no way in without a session:
// a page redirects to /login, an API route answers 401. Every mutating request must pass the CSRF checks, signed in
// or not (a forged sign-in is an attack too). Route handlers read the session again themselves: this is the gate,
// not the only lock.
import { NextResponse, type NextRequest } from 'next/server';
import { consoleConfig } from './src/server/config.ts';
import { CSRF_COOKIE, csrfRefusal, newCsrfToken } from './src/server/csrf.ts';
import { isLoopbackHost, SESSION_COOKIE, unsealSession } from './src/server/session.ts';

/** What may be reached without a session: the sign-in page and the sign-in call itself. */
function isPublic(request: NextRequest): boolean {
  const path = request.nextUrl.pathname;
  return path === '/login' || (path === '/api/session' && request.method === 'POST');
}

function withCsrfCookie(request: NextRequest, response: NextResponse): NextResponse {
  if (request.cookies.get(CSRF_COOKIE) === undefined) {
    response.cookies.set(CSRF_COOKIE, newCsrfToken(), {
      // Readable by the console's own scripts, which echo it in a header: that is the double submit.
      httpOnly: false,
      sameSite: 'strict',
      secure: !isLoopbackHost(request.headers.get('host') ?? request.nextUrl.host),
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
  return `${request.nextUrl.protocol}//${request.headers.get('host') ?? request.nextUrl.host}`;
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

  const { sessionSecret } = consoleConfig();
  const session = await unsealSession(request.cookies.get(SESSION_COOKIE)?.value, sessionSecret);
  if (session === undefined && !isPublic(request)) {
    if (request.nextUrl.pathname.startsWith('/api/'))
      return NextResponse.json({ error: 'not signed in' }, { status: 401 });
    const login = new URL('/login', origin);
    return withCsrfCookie(request, NextResponse.redirect(login, 303));
  }
  return withCsrfCookie(request, NextResponse.next());
}

export const config = {
  // Everything but Next.js's own static assets, which hold no data.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
