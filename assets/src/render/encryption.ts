// Encryption of Secrets at rest: without it kube-apiserver writes every Secret
// to etcd as plain protobuf, readable by anyone with etcd's client key, a
// member's data directory or a backup. The key is generated with the PKI and
// kept like a private key (mode 0600, withheld from the boot server).
import { randomBytes } from 'node:crypto';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { StrataError } from '@strata/api';

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

export class EncryptionKeyRotationError extends StrataError {}

/**
 * The steps of a key rotation, in order, as Kubernetes documents it for more
 * than one API server: `add` a new key that every server can read before any
 * writes with it; `promote` it to the key that writes (then rewrite every
 * Secret); `retire` the old keys once nothing is stored under them.
 */
export const ENCRYPTION_KEY_ROTATION_STEPS = ['add', 'promote', 'retire'] as const;
export type EncryptionKeyRotationStep = (typeof ENCRYPTION_KEY_ROTATION_STEPS)[number];

const encryptionConfigurationSchema = z.object({
  apiVersion: z.literal('apiserver.config.k8s.io/v1'),
  kind: z.literal('EncryptionConfiguration'),
  resources: z.tuple([
    z.object({
      resources: z.array(z.string()),
      providers: z.tuple([
        z.object({
          secretbox: z.object({
            keys: z.array(z.strictObject({ name: z.string().min(1), secret: z.string().min(1) })).min(1),
          }),
        }),
        z.object({ identity: z.object({}) }),
      ]),
    }),
  ]),
});

/** The secretbox keys of a configuration Strata wrote, first (writing) key first. */
export function parseEncryptionKeys(text: string): EncryptionKey[] {
  const parsed = encryptionConfigurationSchema.safeParse(parse(text));
  if (!parsed.success) {
    // The issue paths only: the values around them are keys.
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(the document)').join(', ');
    throw new EncryptionKeyRotationError(
      `the encryption configuration is not one Strata wrote (at ${fields}); rotate its keys by hand`,
      { fields },
    );
  }
  return parsed.data.resources[0].providers[0].secretbox.keys;
}

const KEY_NAME = /^strata-(\d+)$/;

function generation(key: EncryptionKey): number {
  const match = KEY_NAME.exec(key.name);
  if (match?.[1] === undefined) {
    throw new EncryptionKeyRotationError(`encryption key "${key.name}" is not named strata-<n>; rotate by hand`, {
      key: key.name,
    });
  }
  return Number(match[1]);
}

/**
 * The keys after `step`. Each step is idempotent, so a rotation that stopped
 * half-way can be run again from its first step: the newest key is the one
 * with the highest generation, whatever the order it is listed in.
 */
export function rotateEncryptionKeys(
  keys: readonly EncryptionKey[],
  step: EncryptionKeyRotationStep,
  generate: (name: string) => EncryptionKey = generateEncryptionKey,
): EncryptionKey[] {
  const byGeneration = [...keys].sort((a, b) => generation(b) - generation(a));
  const [newest, ...older] = byGeneration;
  if (newest === undefined) throw new EncryptionKeyRotationError('the encryption configuration has no key', {});
  switch (step) {
    case 'add':
      // An earlier run that stopped is resumed, not followed by another key: a key newer than the writing one is
      // there (it stopped before promoting), or older keys still are (it stopped before retiring them).
      if (keys[0] !== newest || older.length > 0) return [...keys];
      return [...keys, generate(`strata-${generation(newest) + 1}`)];
    case 'promote':
      return [newest, ...older];
    case 'retire':
      if (keys[0] !== newest) {
        throw new EncryptionKeyRotationError(
          `cannot retire the old keys: ${newest.name} does not write yet (promote it and rewrite every Secret first)`,
          { writing: keys[0]?.name, newest: newest.name },
        );
      }
      return [newest];
  }
}
