// When an ID token must be renewed, and when it may no longer be sent. The console renews it on the request path
// well before it expires, and never sends one past its expiry: kube-apiserver would refuse it, and an expired
// credential has no business leaving the console.
import type { OidcTokens } from '../session.ts';

/** Renew at most this long before expiry; a short-lived token is renewed at half its life instead. */
export const REFRESH_AHEAD_MS = 60_000;
/**
 * A token this close to its expiry is treated as expired: it covers a request's trip to kube-apiserver and a small
 * clock difference between the console and kube-apiserver.
 */
export const EXPIRY_GUARD_MS = 1_000;

/**
 * When a renewal fails, the proxy keeps the old token only if it will still be usable this much later: the page or
 * handler behind the proxy reads the session again, and must not find it expired without the proxy having said
 * why the session ended.
 */
export const HANDLING_ALLOWANCE_MS = 2_000;

/** The instant (ms since the epoch) from which a request renews the session's ID token before using it. */
export function refreshDueAt(tokens: Pick<OidcTokens, 'issuedAt' | 'expiresAt'>): number {
  const lifetimeMs = Math.max(0, tokens.expiresAt - tokens.issuedAt) * 1000;
  return tokens.expiresAt * 1000 - Math.min(REFRESH_AHEAD_MS, lifetimeMs / 2);
}

/** Whether the ID token may still be sent to kube-apiserver at `nowMs`. */
export function isUsable(tokens: Pick<OidcTokens, 'expiresAt'>, nowMs: number): boolean {
  return nowMs < tokens.expiresAt * 1000 - EXPIRY_GUARD_MS;
}
