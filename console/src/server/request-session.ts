// The session of the request being handled, for route handlers and server components (Next.js's request scope).
import { getIronSession } from 'iron-session';
import { cookies, headers } from 'next/headers';
import { consoleConfig } from './config.ts';
import { isUsable } from './oidc/token-lifetime.ts';
import { ENDED_COOKIE, SESSION_COOKIE, sessionOptions, unsealSession, type Session } from './session.ts';

/**
 * The signed-in session, or undefined. An OpenID session whose ID token has run out counts as none: the proxy
 * renews tokens before they expire, and if it could not, nothing may send the expired one to kube-apiserver.
 */
export async function currentSession(): Promise<Session | undefined> {
  const store = await cookies();
  const session = await unsealSession(store.get(SESSION_COOKIE)?.value, consoleConfig().sessionSecret);
  if (session?.oidc !== undefined && !isUsable(session.oidc, Date.now())) return undefined;
  return session;
}

/**
 * Where a page sends a browser without a usable session: the sign-in page, saying that the session ended when the
 * cookie holds an OpenID session whose ID token ran out. The proxy let the request through while the token was
 * still valid, and it ran out while the page was being made: the proxy could not renew it, as it would have said.
 */
export async function signInPath(): Promise<string> {
  const store = await cookies();
  const session = await unsealSession(store.get(SESSION_COOKIE)?.value, consoleConfig().sessionSecret);
  return session?.oidc === undefined ? '/login' : '/login?reason=session-ended';
}

async function ironSession() {
  const host = (await headers()).get('host') ?? '';
  return getIronSession<Partial<Session>>(await cookies(), sessionOptions(consoleConfig().sessionSecret, host));
}

export async function saveSession(session: Session): Promise<void> {
  const sealed = await ironSession();
  sealed.token = session.token;
  sealed.user = session.user;
  sealed.groups = session.groups;
  if (session.oidc === undefined) delete sealed.oidc;
  else sealed.oidc = session.oidc;
  await sealed.save();
  // A new session: the note of an earlier one that ended has nothing more to say.
  const store = await cookies();
  if (store.get(ENDED_COOKIE) !== undefined) store.delete(ENDED_COOKIE);
}

export async function destroySession(): Promise<void> {
  (await ironSession()).destroy();
}
