// Encryption of Secrets at rest: without it kube-apiserver writes every Secret
// to etcd as plain protobuf, readable by anyone with etcd's client key, a
// member's data directory or a backup. The key is generated with the PKI and
// kept like a private key (mode 0600, withheld from the boot server).
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';

/** secretbox (XSalsa20-Poly1305) takes a 32-byte key. */
export const ENCRYPTION_KEY_BYTES = 32;

/** The name under which the first generated key is stored; a rotation adds a new name in front. */
export const FIRST_ENCRYPTION_KEY_NAME = 'strata-1';

export interface EncryptionKey {
  readonly name: string;
  /** The key, base64: ENCRYPTION_KEY_BYTES random bytes. */
  readonly secret: string;
}

export function generateEncryptionKey(name: string = FIRST_ENCRYPTION_KEY_NAME): EncryptionKey {
  return { name, secret: randomBytes(ENCRYPTION_KEY_BYTES).toString('base64') };
}

/**
 * kube-apiserver's --encryption-provider-config: Secrets are written with the first key; the other keys and then
 * `identity` only read, so data written before encryption was enabled (or under an older key) stays readable.
 */
export function encryptionConfiguration(keys: readonly EncryptionKey[]): string {
  return stringify({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'EncryptionConfiguration',
    resources: [
      {
        resources: ['secrets'],
        providers: [{ secretbox: { keys: keys.map((key) => ({ ...key })) } }, { identity: {} }],
      },
    ],
  });
}
