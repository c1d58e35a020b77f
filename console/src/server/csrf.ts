// Cross-site request forgery: a mutating request must come from the console's own pages. Two independent checks,
// both required: the browser's own word on where the request comes from (Sec-Fetch-Site, else Origin), and a
// double-submit token (a random cookie that only a same-origin script can read and echo in a header).
import { CSRF_COOKIE, CSRF_HEADER } from '../shared/csrf.ts';

export { CSRF_COOKIE, CSRF_HEADER };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isMutating(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

export interface MutationRequest {
  readonly method: string;
  /** The origin the console is served at, as the browser addressed it (scheme://host[:port]). */
  readonly origin: string;
  readonly headers: { get(name: string): string | null };
  readonly csrfCookie: string | undefined;
}

/** Why a mutating request is refused, or undefined when it may proceed. */
export function csrfRefusal(request: MutationRequest): string | undefined {
  if (!isMutating(request.method)) return undefined;
  const fetchSite = request.headers.get('sec-fetch-site');
  const origin = request.headers.get('origin');
  if (fetchSite !== null && fetchSite !== 'same-origin') return `a ${fetchSite} request may not change anything`;
  if (origin !== null && origin !== request.origin) return `a request from ${origin} may not change anything`;
  if (fetchSite === null && origin === null) return 'a request that names no origin may not change anything';
  const token = request.headers.get(CSRF_HEADER);
  if (request.csrfCookie === undefined || request.csrfCookie === '' || token !== request.csrfCookie)
    return `the ${CSRF_HEADER} header does not match the ${CSRF_COOKIE} cookie`;
  return undefined;
}

/** A fresh token for the double-submit cookie. */
export function newCsrfToken(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64url');
}
