import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sealData } from 'iron-session';
import { isLoopbackHost, sealSession, SessionTooLargeError, sessionOptions, unsealSession } from './session.ts';

const SECRET = 'k'.repeat(32);

describe('the session cookie', () => {
  it('is HttpOnly and SameSite=Strict, and Secure except on loopback', () => {
    for (const host of ['127.0.0.1:3000', 'localhost:3000', '[::1]:3000', '127.0.10.2'])
      assert.equal(sessionOptions(SECRET, host).cookieOptions?.secure, false, host);
    for (const host of ['console.example.com', '10.0.0.5:443', '[2001:db8::1]:443'])
      assert.equal(sessionOptions(SECRET, host).cookieOptions?.secure, true, host);
    assert.equal(sessionOptions(SECRET, 'x').cookieOptions?.httpOnly, true);
    assert.equal(sessionOptions(SECRET, 'x').cookieOptions?.sameSite, 'strict');
    assert.equal(isLoopbackHost('127.0.0.1.example.com'), false);
  });

  it('unseals only what this secret sealed, in the session shape', async () => {
    const session = { token: 'a-token', user: 'alice', groups: ['system:authenticated'] };
    const sealed = await sealData(session, { password: SECRET });
    assert.ok(!sealed.includes('a-token'));
    assert.deepEqual(await unsealSession(sealed, SECRET), session);
    assert.equal(await unsealSession(sealed, 'o'.repeat(32)), undefined);
    assert.equal(await unsealSession(await sealData({ user: 'alice' }, { password: SECRET }), SECRET), undefined);
    assert.equal(await unsealSession(undefined, SECRET), undefined);
    assert.equal(await unsealSession('garbage', SECRET), undefined);
  });

  it('carries an OpenID session’s refresh token and ID token lifetime, sealed', async () => {
    const session = {
      token: 'an-id-token',
      user: 'oidc:alice',
      groups: ['oidc:viewers'],
      oidc: { subject: 'alice', refreshToken: 'a-refresh-token', issuedAt: 1_000, expiresAt: 1_300 },
    };
    const sealed = await sealSession(session, SECRET);
    assert.ok(!sealed.includes('a-refresh-token'));
    assert.deepEqual(await unsealSession(sealed, SECRET), session);
    const withoutRefresh = { subject: 'alice', issuedAt: 1_000, expiresAt: 1_300 };
    assert.deepEqual(await unsealSession(await sealSession({ ...session, oidc: withoutRefresh }, SECRET), SECRET), {
      ...session,
      oidc: withoutRefresh,
    });
    assert.equal(
      await unsealSession(await sealData({ ...session, oidc: { subject: 'alice' } }, { password: SECRET }), SECRET),
      undefined,
    );
  });

  it('refuses to seal a session a browser would not keep', async () => {
    const session = { token: 'x'.repeat(4_000), user: 'oidc:alice', groups: [] };
    await assert.rejects(sealSession(session, SECRET), (error: unknown) => {
      assert.ok(error instanceof SessionTooLargeError);
      assert.match(error.message, /oidc:alice seals to \d+ characters/);
      assert.ok(!error.message.includes('xxxx'));
      return true;
    });
  });
});
