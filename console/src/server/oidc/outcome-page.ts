// The OpenID callback's answers are whole pages (the browser arrives there by navigation, not by a script): a
// refusal with its reason, or the step that completes a sign-in.

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);

const page = (title: string, body: string, head = ''): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>${head}</head>` +
  `<body><main>${body}</main></body></html>`;

const HTML_HEADERS = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };

/** A sign-in that was refused: the status, why, and the way back to the sign-in page. */
export function refusalPage(status: 400 | 401 | 403 | 502, reason: string): Response {
  return new Response(
    page(
      'Sign-in refused',
      `<h1>Sign-in refused</h1><p role="alert">${escapeHtml(reason)}</p><p><a href="/login">Sign in again</a></p>`,
    ),
    { status, headers: HTML_HEADERS },
  );
}

/**
 * The end of a sign-in: the session cookie is set on this answer, and the page then moves on by itself. A redirect
 * would not do: it would continue the provider's cross-site navigation, on which the browser withholds the
 * SameSite=Strict session cookie, and the next page would find no session.
 */
export function signedInPage(next: string): Response {
  const target = escapeHtml(next);
  return new Response(
    page(
      'Signed in',
      `<p>Signed in. <a href="${target}">Continue</a></p>`,
      `<meta http-equiv="refresh" content="0;url=${target}">`,
    ),
    { status: 200, headers: HTML_HEADERS },
  );
}
