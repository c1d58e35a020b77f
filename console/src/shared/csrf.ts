// The double-submit token's names, shared by the server's check (src/server/csrf.ts) and the browser's requests.
export const CSRF_COOKIE = 'strata-csrf';
export const CSRF_HEADER = 'x-strata-csrf';
