// The session of the request being handled, for route handlers and server components (Next.js's request scope).
import { getIronSession } from 'iron-session';
import { cookies, headers } from 'next/headers';
import { consoleConfig } from './config.ts';
import { SESSION_COOKIE, sessionOptions, unsealSession, type Session } from './session.ts';

export async function currentSession(): Promise<Session | undefined> {
  const store = await cookies();
  return unsealSession(store.get(SESSION_COOKIE)?.value, consoleConfig().sessionSecret);
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
  await sealed.save();
}

export async function destroySession(): Promise<void> {
  (await ironSession()).destroy();
}
