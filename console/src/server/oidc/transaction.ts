// The sign-in transaction (state, nonce, PKCE verifier) between the redirect to the provider and its callback:
// sealed like the session, in its own cookie that only the callback path receives, for ten minutes, and SameSite=Lax
// because the callback is a top-level navigation from the provider's site.
import { sealData, unsealData } from 'iron-session';
import { z } from 'zod';
import type { SignInTransaction } from './provider.ts';

export const TRANSACTION_COOKIE = 'strata-oidc';
export const TRANSACTION_TTL_SECONDS = 10 * 60;
export const TRANSACTION_PATH = '/api/oidc';

const transactionSchema = z.strictObject({
  state: z.string().min(1),
  nonce: z.string().min(1),
  codeVerifier: z.string().min(43),
});

export function transactionCookieOptions(secure: boolean) {
  return {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: TRANSACTION_PATH,
    maxAge: TRANSACTION_TTL_SECONDS,
  } as const;
}

export function sealTransaction(transaction: SignInTransaction, secret: string): Promise<string> {
  return sealData(transaction, { password: secret, ttl: TRANSACTION_TTL_SECONDS });
}

/** The transaction a cookie holds, or undefined for a missing, forged, expired or malformed one. */
export async function unsealTransaction(
  sealed: string | undefined,
  secret: string,
): Promise<SignInTransaction | undefined> {
  if (sealed === undefined || sealed === '') return undefined;
  const parsed = transactionSchema.safeParse(
    await unsealData<unknown>(sealed, { password: secret, ttl: TRANSACTION_TTL_SECONDS }),
  );
  return parsed.success ? parsed.data : undefined;
}
