import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXPIRY_GUARD_MS, isUsable, REFRESH_AHEAD_MS, refreshDueAt } from './token-lifetime.ts';

describe('an ID token’s lifetime', () => {
  it('is renewed a minute ahead when it lives long, at half its life when it lives short', () => {
    assert.equal(
      refreshDueAt({ issuedAt: 1_000, expiresAt: 1_000 + 3_600 }),
      (1_000 + 3_600) * 1000 - REFRESH_AHEAD_MS,
    );
    assert.equal(refreshDueAt({ issuedAt: 1_000, expiresAt: 1_008 }), 1_004_000);
    assert.equal(refreshDueAt({ issuedAt: 1_010, expiresAt: 1_008 }), 1_008_000, 'a token issued "after" its expiry');
  });

  it('is not sent within the guard before its expiry, nor after', () => {
    const tokens = { expiresAt: 2_000 };
    assert.equal(isUsable(tokens, 2_000_000 - EXPIRY_GUARD_MS - 1), true);
    assert.equal(isUsable(tokens, 2_000_000 - EXPIRY_GUARD_MS), false);
    assert.equal(isUsable(tokens, 2_000_001), false);
  });
});
