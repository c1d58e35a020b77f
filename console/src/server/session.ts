// The session: the user's bearer token, sealed (encrypted and authenticated) by iron-session into an HttpOnly
// cookie. The token never reaches the browser's JavaScript and is never logged; the browser holds only the seal.
import { unsealData, type SessionOptions } from 'iron-session';
import { z } from 'zod';

export const SESSION_COOKIE = 'strata-session';
/** A session lasts at most this long; the token's own expiry ends it sooner (the API server answers 401). */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;

export const sessionSchema = z.strictObject({
  token: z.string().min(1),
  user: z.string(),
  groups: z.array(z.string()),
});
export type Session = z.infer<typeof sessionSchema>;

/** Hosts whose connection never leaves the machine, where plain HTTP is acceptable (`next dev`, the tests). */
export function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : (host.split(':')[0] ?? '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

export function sessionOptions(secret: string, host: string): SessionOptions {
  return {
    password: secret,
    cookieName: SESSION_COOKIE,
    ttl: SESSION_TTL_SECONDS,
    cookieOptions: {
      httpOnly: true,
      sameSite: 'strict',
      // A browser drops a Secure cookie over plain HTTP, so outside loopback the console only works over TLS.
      secure: !isLoopbackHost(host),
      path: '/',
    },
  };
}

/** The session a sealed cookie value holds, or undefined for a missing, forged, expired or malformed one. */
export async function unsealSession(sealed: string | undefined, secret: string): Promise<Session | undefined> {
  if (sealed === undefined || sealed === '') return undefined;
  const value = await unsealData<unknown>(sealed, { password: secret, ttl: SESSION_TTL_SECONDS });
  const parsed = sessionSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
