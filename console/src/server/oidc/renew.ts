// Silent refresh on the request path: before a request may use an OpenID session, its ID token is renewed once it
// is due (well before expiry), one refresh per session at a time. A session whose token has run out and cannot be
// renewed has ended; its expired token is never handed on.
import type { OidcConfig } from '../config.ts';
import type { Session } from '../session.ts';
import { refreshKey, refreshTokens } from './provider.ts';
import { SingleFlight } from './single-flight.ts';
import { HANDLING_ALLOWANCE_MS, isUsable, refreshDueAt } from './token-lifetime.ts';
import { log } from '../log.ts';

/** How long a renewed session is still handed to requests that arrive with the cookie it replaced. */
const LATE_REQUEST_GRACE_MS = 60_000;

export type Renewal =
  | { readonly kind: 'current'; readonly session: Session }
  | { readonly kind: 'renewed'; readonly session: Session }
  | { readonly kind: 'ended' };

export class SessionRenewer {
  readonly #flights = new SingleFlight<Session>(LATE_REQUEST_GRACE_MS);
  readonly #refresh: typeof refreshTokens;
  readonly #log: (message: string) => void;

  constructor(options: { refresh?: typeof refreshTokens; log?: (message: string) => void } = {}) {
    this.#refresh = options.refresh ?? refreshTokens;
    this.#log = options.log ?? ((message) => log.warn(message));
  }

  async renewIfDue(config: OidcConfig | undefined, session: Session, nowMs: number = Date.now()): Promise<Renewal> {
    const tokens = session.oidc;
    if (tokens === undefined || nowMs < refreshDueAt(tokens)) return { kind: 'current', session };
    try {
      if (config === undefined) throw new Error('OpenID Connect sign-in is no longer configured');
      const renewed = await this.#flights.run(refreshKey(tokens), async () => {
        const fresh = await this.#refresh(config, tokens);
        return { ...session, token: fresh.idToken, oidc: fresh.tokens };
      });
      return { kind: 'renewed', session: renewed };
    } catch (error) {
      // The reason, never a token: openid-client's messages name the provider's error code, not the request.
      const reason = error instanceof Error ? error.message : String(error);
      const usable = isUsable(tokens, nowMs + HANDLING_ALLOWANCE_MS);
      this.#log(
        `could not renew the OpenID session of ${session.user}: ${reason}; ` +
          (usable ? 'its ID token is still valid, the next request tries again' : 'the session has ended'),
      );
      return usable ? { kind: 'current', session } : { kind: 'ended' };
    }
  }
}
