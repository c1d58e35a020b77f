// What a diagnosis prints comes from logs and servers it does not control;
// anything that looks like a secret is replaced before it is shown: private
// key blocks (PEM, also cut off at either end, also base64-encoded as in a
// kubeconfig's client-key-data) and bootstrap tokens.

const PRIVATE_KEY_BLOCK = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;
/** The end of a block whose beginning was cut off (a log tail that starts inside a key). */
const ORPHAN_KEY_END = /^[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/;
/** "-----BEGIN" in base64: a PEM block inside a kubeconfig or a JSON log. */
const BASE64_PEM = /LS0tLS1CRUdJT[A-Za-z0-9+/=]*/g;
/** kubeadm's bootstrap token format, `[a-z0-9]{6}.[a-z0-9]{16}`. */
const BOOTSTRAP_TOKEN = /\b[a-z0-9]{6}\.[a-z0-9]{16}\b/g;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi;

export const REDACTED_KEY = '[redacted private key]';
export const REDACTED_TOKEN = '[redacted token]';

export function redactSecrets(text: string): string {
  // Whole and unterminated blocks first; an END left after that has lost its BEGIN.
  return text
    .replace(PRIVATE_KEY_BLOCK, REDACTED_KEY)
    .replace(ORPHAN_KEY_END, REDACTED_KEY)
    .replace(BASE64_PEM, '[redacted base64 PEM]')
    .replace(BOOTSTRAP_TOKEN, REDACTED_TOKEN)
    .replace(BEARER, `$1 ${REDACTED_TOKEN}`);
}
