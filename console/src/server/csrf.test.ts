import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CSRF_HEADER, csrfRefusal, newCsrfToken, type MutationRequest } from './csrf.ts';

const ORIGIN = 'http://127.0.0.1:3000';
const TOKEN = 'b'.repeat(43);

function request(overrides: {
  method?: string;
  headers?: Record<string, string>;
  csrfCookie?: string;
}): MutationRequest {
  const headers = new Headers(
    overrides.headers ?? { origin: ORIGIN, 'sec-fetch-site': 'same-origin', [CSRF_HEADER]: TOKEN },
  );
  return { method: overrides.method ?? 'POST', origin: ORIGIN, headers, csrfCookie: overrides.csrfCookie ?? TOKEN };
}

describe('csrfRefusal', () => {
  it('lets a same-origin request with the matching token through', () => {
    assert.equal(csrfRefusal(request({})), undefined);
    assert.equal(csrfRefusal(request({ method: 'delete' })), undefined);
  });

  it('does not check safe methods', () => {
    assert.equal(csrfRefusal(request({ method: 'GET', headers: { 'sec-fetch-site': 'cross-site' } })), undefined);
  });

  it('refuses what the browser calls cross-site or same-site', () => {
    for (const site of ['cross-site', 'same-site', 'none']) {
      const refusal = csrfRefusal(
        request({ headers: { origin: ORIGIN, 'sec-fetch-site': site, [CSRF_HEADER]: TOKEN } }),
      );
      assert.equal(refusal, `a ${site} request may not change anything`);
    }
  });

  it('refuses another Origin, and a request naming no origin at all', () => {
    assert.match(
      csrfRefusal(request({ headers: { origin: 'http://127.0.0.1:3001', [CSRF_HEADER]: TOKEN } })) ?? '',
      /from http:\/\/127\.0\.0\.1:3001/,
    );
    assert.match(csrfRefusal(request({ headers: { [CSRF_HEADER]: TOKEN } })) ?? '', /names no origin/);
  });

  it('refuses a missing or different double-submit token', () => {
    assert.match(csrfRefusal(request({ headers: { origin: ORIGIN } })) ?? '', /does not match/);
    assert.match(csrfRefusal(request({ headers: { origin: ORIGIN, [CSRF_HEADER]: 'other' } })) ?? '', /does not match/);
    assert.match(
      csrfRefusal(request({ headers: { origin: ORIGIN, [CSRF_HEADER]: '' }, csrfCookie: '' })) ?? '',
      /does not match/,
    );
  });

  it('makes tokens of 256 random bits', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => newCsrfToken()));
    assert.equal(tokens.size, 50);
    for (const token of tokens) assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  });
});
