// The console as an OpenID Connect relying party, through openid-client: discovery of the provider, the
// authorization code flow with PKCE, state and nonce, refresh, and RP-initiated logout. The provider's certificate
// is checked against STRATA_CONSOLE_OIDC_CA_FILE when given (undici's Agent), else the system's roots.
import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';
import { StrataError } from '@strata/api';
import type { OidcConfig } from '../config.ts';
import type { OidcTokens } from '../session.ts';

export class OidcError extends StrataError {}
/** The provider's discovery document could not be had: the provider is unreachable or misconfigured. */
export class OidcDiscoveryError extends OidcError {}

/** A sign-in in progress, kept sealed in its own short-lived cookie between the redirect and the callback. */
export interface SignInTransaction {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/** What a successful code exchange or refresh yields: the ID token (the bearer) and its facts. */
export interface IssuedTokens {
  readonly idToken: string;
  readonly tokens: OidcTokens;
}

let configuration: Promise<oidc.Configuration> | undefined;

function customFetchFor(caPem: string): oidc.CustomFetch {
  const dispatcher = new Agent({ connect: { ca: caPem } });
  return async (url, options) => {
    const answer = await undiciFetch(url, { ...options, dispatcher });
    // openid-client reads the answer as the Fetch API's Response; the provider's answers are small documents.
    return new Response(await answer.arrayBuffer(), {
      status: answer.status,
      statusText: answer.statusText,
      headers: [...answer.headers],
    });
  };
}

async function discover(config: OidcConfig): Promise<oidc.Configuration> {
  const options: oidc.DiscoveryRequestOptions =
    config.caPem === undefined ? {} : { [oidc.customFetch]: customFetchFor(config.caPem) };
  try {
    const discovered = await oidc.discovery(
      new URL(config.issuerUrl),
      config.clientId,
      undefined,
      oidc.ClientSecretBasic(config.clientSecret),
      options,
    );
    if (config.caPem !== undefined) discovered[oidc.customFetch] = customFetchFor(config.caPem);
    return discovered;
  } catch (error) {
    throw new OidcDiscoveryError(
      `cannot discover the OpenID provider ${config.issuerUrl}: ${error instanceof Error ? error.message : String(error)}`,
      { issuer: config.issuerUrl },
      { cause: error },
    );
  }
}

/** The provider's configuration, discovered once per process; a failed discovery is tried again next time. */
export function providerConfiguration(config: OidcConfig): Promise<oidc.Configuration> {
  if (configuration === undefined) {
    const attempt = discover(config);
    configuration = attempt;
    attempt.catch(() => {
      if (configuration === attempt) configuration = undefined;
    });
  }
  return configuration;
}

/** Where to send the browser to sign in, and the transaction the callback must match. */
export async function beginSignIn(config: OidcConfig): Promise<{ url: URL; transaction: SignInTransaction }> {
  const provider = await providerConfiguration(config);
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const transaction = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier };
  const url = oidc.buildAuthorizationUrl(provider, {
    redirect_uri: config.redirectUrl,
    scope: config.scopes,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state: transaction.state,
    nonce: transaction.nonce,
  });
  return { url, transaction };
}

function issued(
  config: OidcConfig,
  answer: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
  previous: OidcTokens | undefined,
): IssuedTokens {
  const claims = answer.claims();
  if (answer.id_token === undefined || claims === undefined)
    throw new OidcError(`the OpenID provider ${config.issuerUrl} answered without an ID token`, {
      issuer: config.issuerUrl,
    });
  if (previous !== undefined && claims.sub !== previous.subject)
    throw new OidcError(`the OpenID provider ${config.issuerUrl} renewed the session for another subject`, {
      issuer: config.issuerUrl,
    });
  const refreshToken = answer.refresh_token ?? previous?.refreshToken;
  return {
    idToken: answer.id_token,
    tokens: {
      subject: claims.sub,
      ...(refreshToken === undefined ? {} : { refreshToken }),
      issuedAt: claims.iat,
      expiresAt: claims.exp,
    },
  };
}

/**
 * Exchanges the callback's code for tokens. openid-client checks the state, the nonce in the ID token, the PKCE
 * verifier (the provider does), the issuer and the ID token's signature, audience and expiry.
 */
export async function completeSignIn(
  config: OidcConfig,
  callback: URL,
  transaction: SignInTransaction,
): Promise<IssuedTokens> {
  const provider = await providerConfiguration(config);
  const answer = await oidc.authorizationCodeGrant(provider, callback, {
    pkceCodeVerifier: transaction.codeVerifier,
    expectedState: transaction.state,
    expectedNonce: transaction.nonce,
    idTokenExpected: true,
  });
  return issued(config, answer, undefined);
}

/** A new ID token for the session, from its refresh token. */
export async function refreshTokens(config: OidcConfig, tokens: OidcTokens): Promise<IssuedTokens> {
  if (tokens.refreshToken === undefined)
    throw new OidcError('the session has no refresh token: the provider issued none (is offline_access granted?)', {
      issuer: config.issuerUrl,
    });
  const provider = await providerConfiguration(config);
  return issued(config, await oidc.refreshTokenGrant(provider, tokens.refreshToken), tokens);
}

/** The provider's end-session URL for RP-initiated logout, or undefined when it announces none. */
export async function endSessionUrl(config: OidcConfig, idToken: string): Promise<URL | undefined> {
  const provider = await providerConfiguration(config);
  if (provider.serverMetadata().end_session_endpoint === undefined) return undefined;
  return oidc.buildEndSessionUrl(provider, {
    id_token_hint: idToken,
    post_logout_redirect_uri: config.postLogoutRedirectUrl,
  });
}

/**
 * Revokes the session's refresh token at the provider, so that a copy of the sealed cookie cannot renew the session
 * after sign-out. Answers whether the provider offers revocation at all.
 */
export async function revokeRefreshToken(config: OidcConfig, tokens: OidcTokens): Promise<boolean> {
  const provider = await providerConfiguration(config);
  if (tokens.refreshToken === undefined || provider.serverMetadata().revocation_endpoint === undefined) return false;
  await oidc.tokenRevocation(provider, tokens.refreshToken, { token_type_hint: 'refresh_token' });
  return true;
}

/** A key for a refresh token that is not the token itself (it is kept in memory for single-flight refreshes). */
export function refreshKey(tokens: OidcTokens): string {
  return createHash('sha256')
    .update(tokens.refreshToken ?? tokens.subject)
    .digest('base64url');
}
