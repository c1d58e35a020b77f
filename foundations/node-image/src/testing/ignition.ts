// A small typed builder for the Ignition configs the boot tests hand to a node (spec 3.4.0, the version the pinned
// Ignition v2.24.0 reads natively), and an SSH public key to put in one: the tests state what they want, and the
// JSON's shape (data URLs, decimal modes) is written once here.
import { generateKeyPairSync } from 'node:crypto';

export const IGNITION_SPEC_VERSION = '3.4.0';

export interface IgnitionFileSpec {
  readonly path: string;
  readonly contents: string;
  /** Default 0o644. */
  readonly mode?: number;
}

export interface IgnitionUnitSpec {
  readonly name: string;
  /** Omitted for a unit the image has (masked, enabled or disabled as it is). */
  readonly contents?: string;
  readonly enabled?: boolean;
  /** Masked: linked to /dev/null in /etc. */
  readonly mask?: boolean;
}

export interface IgnitionUserSpec {
  readonly name: string;
  readonly sshAuthorizedKeys?: readonly string[];
  readonly groups?: readonly string[];
}

export interface IgnitionConfigSpec {
  /** Default IGNITION_SPEC_VERSION; another lets a test hand Ignition a config it must refuse. */
  readonly version?: string;
  readonly files?: readonly IgnitionFileSpec[];
  readonly units?: readonly IgnitionUnitSpec[];
  readonly users?: readonly IgnitionUserSpec[];
}

/** The config as Ignition reads it (JSON). File contents travel as data URLs, so the config needs no network. */
export function ignitionConfig(spec: IgnitionConfigSpec): string {
  const config = {
    ignition: { version: spec.version ?? IGNITION_SPEC_VERSION },
    ...(spec.users === undefined
      ? {}
      : {
          passwd: {
            users: spec.users.map((user) => ({
              name: user.name,
              ...(user.sshAuthorizedKeys === undefined ? {} : { sshAuthorizedKeys: [...user.sshAuthorizedKeys] }),
              ...(user.groups === undefined ? {} : { groups: [...user.groups] }),
            })),
          },
        }),
    ...(spec.files === undefined
      ? {}
      : {
          storage: {
            files: spec.files.map((file) => ({
              path: file.path,
              // JSON has no octal: Ignition reads the mode as a decimal number.
              mode: file.mode ?? 0o644,
              overwrite: true,
              contents: { source: `data:,${encodeURIComponent(file.contents)}` },
            })),
          },
        }),
    ...(spec.units === undefined
      ? {}
      : {
          systemd: {
            units: spec.units.map((unit) => ({
              name: unit.name,
              ...(unit.contents === undefined ? {} : { contents: unit.contents }),
              ...(unit.enabled === undefined ? {} : { enabled: unit.enabled }),
              ...(unit.mask === undefined ? {} : { mask: unit.mask }),
            })),
          },
        }),
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** A fresh ed25519 public key in OpenSSH's authorized_keys form (the private half is thrown away). */
export function sshEd25519PublicKey(comment: string): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.x === undefined) throw new Error('node:crypto exported an ed25519 key without its x');
  const raw = Buffer.from(jwk.x, 'base64url');
  // The SSH wire format: each field length-prefixed (RFC 4253 §6.6, RFC 8709).
  const field = (bytes: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  };
  const blob = Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}
