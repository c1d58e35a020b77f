// A real OpenID provider on loopback for the console's sign-in tests: oidc-provider over HTTPS (the test CA), with
// its development login and consent pages, one confidential client (the console), short ID token lifetimes,
// rotating refresh tokens (so that two refreshes racing with one refresh token revoke the grant, as at real
// providers), a `groups` claim in the ID token, token revocation and RP-initiated logout.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, { type Configuration } from 'oidc-provider';
import type { TestTls } from './test-tls.ts';

export interface OidcClientRegistration {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
}

export interface TestOidcProvider {
  readonly issuer: string;
  /** The path of every request the provider was sent, in order (kube-apiserver's discovery among them). */
  readonly requestedPaths: readonly string[];
  /** Registers the console; the issuer's address is known (and given to kube-apiserver) before the console's. */
  register(client: OidcClientRegistration): void;
  stop(): Promise<void>;
}

export interface OidcProviderOptions {
  readonly tls: TestTls;
  /** Lifetime of ID and access tokens. */
  readonly tokenLifetimeSeconds: number;
  /** The groups claim of every account; the account's subject is the login typed on the login page. */
  readonly groups: readonly string[];
}

function configuration(options: OidcProviderOptions, client: OidcClientRegistration): Configuration {
  return {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        redirect_uris: [client.redirectUri],
        post_logout_redirect_uris: [client.postLogoutRedirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    findAccount: (_context, subject) => ({
      accountId: subject,
      claims: () => ({ sub: subject, groups: [...options.groups] }),
    }),
    claims: { openid: ['sub'], groups: ['groups'] },
    scopes: ['openid', 'offline_access', 'groups'],
    // kube-apiserver reads the groups from the ID token itself, not from the userinfo endpoint.
    conformIdTokenClaims: false,
    ttl: {
      IdToken: options.tokenLifetimeSeconds,
      AccessToken: options.tokenLifetimeSeconds,
      RefreshToken: 3600,
      Grant: 3600,
      Session: 3600,
      Interaction: 600,
    },
    issueRefreshToken: (_context, registered) => registered.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    pkce: { required: () => true },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      revocation: { enabled: true },
    },
  };
}

export async function startOidcProvider(options: OidcProviderOptions): Promise<TestOidcProvider> {
  let handler: ((request: IncomingMessage, response: ServerResponse) => Promise<void>) | undefined;
  const requestedPaths: string[] = [];
  const server: Server = createServer(
    { cert: options.tls.server.certificatePem, key: options.tls.server.privateKeyPem },
    (request, response) => {
      requestedPaths.push(new URL(request.url ?? '/', 'https://provider').pathname);
      if (handler === undefined) {
        response.writeHead(503).end('the console is not registered yet');
        return;
      }
      void handler(request, response);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the OpenID provider has no TCP address');
  const issuer = `https://127.0.0.1:${address.port}`;
  return {
    issuer,
    requestedPaths,
    register(client) {
      handler = new Provider(issuer, configuration(options, client)).callback();
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
