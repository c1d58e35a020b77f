// The session: the user's bearer token, sealed (encrypted and authenticated) by iron-session into an HttpOnly
// cookie. The token never reaches the browser's JavaScript and is never logged; the browser holds only the seal.
// An OpenID Connect session also holds the refresh token and the ID token's lifetime; the ID token is the bearer.
import { sealData, unsealData, type SessionOptions } from 'iron-session';
import { z } from 'zod';
import { StrataError } from '@strata/api';

export class SessionTooLargeError extends StrataError {}

/**
 * The longest sealed value that still fits a browser's 4096-byte cookie with its name and attributes (iron-session
 * checks its own writes the same way; the proxy writes renewed sessions itself).
 */
export const MAX_SEALED_LENGTH = 4096 - 256;

export const SESSION_COOKIE = 'strata-session';
/**
 * Set for a minute when a request ends the session: the request that ended it may be a tab's event stream or a
 * prefetch, and the next page the browser asks for has no session left to say why, so this cookie says it. Signing
 * in drops it.
 */
export const ENDED_COOKIE = 'strata-session-ended';
/** A session lasts at most this long; the token's own expiry ends it sooner (the API server answers 401). */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;

/** What an OpenID Connect sign-in adds: how to renew the ID token, and when it stops being valid. */
export const oidcTokensSchema = z.strictObject({
  /** The provider's subject: a refreshed ID token must name the same one. */
  subject: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  /** The ID token's `iat` and `exp`, in seconds since the epoch. */
  issuedAt: z.number().int(),
  expiresAt: z.number().int(),
});
export type OidcTokens = z.infer<typeof oidcTokensSchema>;

export const sessionSchema = z.strictObject({
  /** The bearer token kube-apiserver receives: a pasted token, or the OpenID provider's ID token. */
  token: z.string().min(1),
  user: z.string(),
  groups: z.array(z.string()),
  oidc: oidcTokensSchema.optional(),
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

/** The sealed cookie value of `session`, refused when a browser would not keep the cookie. */
export async function sealSession(session: Session, secret: string): Promise<string> {
  const sealed = await sealData(session, { password: secret, ttl: SESSION_TTL_SECONDS });
  if (sealed.length > MAX_SEALED_LENGTH)
    throw new SessionTooLargeError(
      `the session of ${session.user} seals to ${sealed.length} characters, over the ${MAX_SEALED_LENGTH} a cookie can hold: ` +
        'the identity provider’s tokens are too large (fewer groups in the ID token?)',
      { user: session.user, length: sealed.length },
    );
  return sealed;
}

/** The session a sealed cookie value holds, or undefined for a missing, forged, expired or malformed one. */
export async function unsealSession(sealed: string | undefined, secret: string): Promise<Session | undefined> {
  if (sealed === undefined || sealed === '') return undefined;
  const value = await unsealData<unknown>(sealed, { password: secret, ttl: SESSION_TTL_SECONDS });
  const parsed = sessionSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
