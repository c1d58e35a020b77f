import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OidcConfig } from '../config.ts';
import type { OidcTokens, Session } from '../session.ts';
import type { IssuedTokens } from './provider.ts';
import { SessionRenewer } from './renew.ts';

const CONFIG: OidcConfig = {
  issuerUrl: 'https://id.example',
  clientId: 'console',
  clientSecret: 'secret',
  redirectUrl: 'https://console.example/api/oidc/callback',
  postLogoutRedirectUrl: 'https://console.example/login',
  scopes: 'openid offline_access',
  caPem: undefined,
};

/** A session whose ID token was issued at `issuedAt` (s) and lives `lifetime` seconds. */
function oidcSession(issuedAt: number, lifetime: number, refreshToken = 'refresh-1'): Session {
  return {
    token: `id-token-${issuedAt}`,
    user: 'oidc:alice',
    groups: ['oidc:viewers'],
    oidc: { subject: 'alice', refreshToken, issuedAt, expiresAt: issuedAt + lifetime },
  };
}

function renewer(answer: (tokens: OidcTokens) => Promise<IssuedTokens>) {
  const logs: string[] = [];
  let calls = 0;
  const instance = new SessionRenewer({
    refresh: (_config, tokens) => {
      calls += 1;
      return answer(tokens);
    },
    log: (message) => logs.push(message),
  });
  return { instance, logs, calls: () => calls };
}

const renewed = (issuedAt: number): Promise<IssuedTokens> =>
  Promise.resolve({
    idToken: `id-token-${issuedAt}`,
    tokens: { subject: 'alice', refreshToken: 'refresh-2', issuedAt, expiresAt: issuedAt + 10 },
  });

describe('SessionRenewer', () => {
  it('leaves a bearer-token session and a fresh ID token alone', async () => {
    const { instance, calls } = renewer(() => renewed(0));
    const token = { token: 't', user: 'u', groups: [] };
    assert.deepEqual(await instance.renewIfDue(CONFIG, token, 0), { kind: 'current', session: token });
    const fresh = oidcSession(1_000, 10);
    assert.deepEqual(await instance.renewIfDue(CONFIG, fresh, 1_004_999), { kind: 'current', session: fresh });
    assert.equal(calls(), 0);
  });

  it('renews once it is due, once for concurrent requests of the session', async () => {
    const { instance, calls } = renewer(() => renewed(1_005));
    const session = oidcSession(1_000, 10);
    const [first, second] = await Promise.all([
      instance.renewIfDue(CONFIG, session, 1_005_000),
      instance.renewIfDue(CONFIG, session, 1_005_100),
    ]);
    assert.equal(calls(), 1);
    assert.deepEqual(first, second);
    assert.equal(first.kind, 'renewed');
    assert.ok(first.kind === 'renewed');
    assert.equal(first.session.token, 'id-token-1005');
    assert.deepEqual(first.session.oidc, {
      subject: 'alice',
      refreshToken: 'refresh-2',
      issuedAt: 1_005,
      expiresAt: 1_015,
    });
    assert.equal(first.session.user, 'oidc:alice');
  });

  it('keeps a still-valid token when the refresh fails, and ends the session once it has run out', async () => {
    const { instance, logs, calls } = renewer(() =>
      Promise.reject(new Error('invalid_grant (grant request is invalid)')),
    );
    const session = oidcSession(1_000, 10);
    assert.deepEqual(await instance.renewIfDue(CONFIG, session, 1_006_000), { kind: 'current', session });
    // Expiring within the guard and the time a request takes to reach its handler: ended now, with its reason.
    assert.deepEqual(await instance.renewIfDue(CONFIG, session, 1_007_000), { kind: 'ended' });
    assert.equal(calls(), 2, 'a failure is tried again on the next request');
    assert.match(logs[0] ?? '', /oidc:alice: invalid_grant .*still valid/);
    assert.match(logs[1] ?? '', /the session has ended/);
    for (const line of logs) assert.ok(!line.includes('refresh-1') && !line.includes('id-token'));
  });

  it('ends a due session when OpenID sign-in is no longer configured', async () => {
    const { instance } = renewer(() => renewed(0));
    assert.deepEqual(await instance.renewIfDue(undefined, oidcSession(1_000, 10), 1_010_000), { kind: 'ended' });
  });
});
