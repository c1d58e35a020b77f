import type { Problem } from './problem.ts';

export const SSH_KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
] as const;

/** The line's shape as a JSON Schema pattern, for editors; the check below decodes the key itself. */
export const SSH_KEY_PATTERN = new RegExp(
  `^\\s*(${SSH_KEY_TYPES.map((type) => type.replaceAll('.', '\\.')).join('|')})\\s+[A-Za-z0-9+/]+={0,2}(\\s.*)?\\s*$`,
);

type SshKeyType = (typeof SSH_KEY_TYPES)[number];

// OpenSSH itself refuses RSA keys below 1024 bits; 2048 is where current
// guidance (NIST SP 800-131A) draws the line for keys that guard root logins.
const MIN_RSA_BITS = 2048;

const ED25519_KEY_BYTES = 32;
/** Uncompressed EC points: 0x04 followed by both coordinates. */
const EC_POINT_BYTES: Readonly<Record<string, number>> = { nistp256: 65, nistp384: 97, nistp521: 133 };

const RECOPY_HINT = 'copy the whole line of the .pub file again; it was probably cut, wrapped or edited';

function isSupportedType(type: string): type is SshKeyType {
  return (SSH_KEY_TYPES as readonly string[]).includes(type);
}

/** Splits the SSH wire format (RFC 4251: uint32 length, then bytes) into its fields. */
function wireFields(blob: Buffer): Buffer[] | undefined {
  const fields: Buffer[] = [];
  let offset = 0;
  while (offset < blob.length) {
    if (offset + 4 > blob.length) {
      return undefined;
    }
    const length = blob.readUInt32BE(offset);
    offset += 4;
    if (offset + length > blob.length) {
      return undefined;
    }
    fields.push(blob.subarray(offset, offset + length));
    offset += length;
  }
  return fields;
}

function rsaModulusBits(modulus: Buffer): number {
  const start = modulus.findIndex((byte) => byte !== 0);
  if (start === -1) {
    return 0;
  }
  return (modulus.length - start - 1) * 8 + (modulus[start] ?? 0).toString(2).length;
}

/** Checks the fields after the type against what each algorithm's public key holds. */
function checkKeyMaterial(type: SshKeyType, fields: readonly Buffer[]): Problem | undefined {
  const corrupt: Problem = { message: `has key data that is not a valid ${type} public key`, hint: RECOPY_HINT };
  switch (type) {
    case 'ssh-ed25519':
      return fields.length === 2 && fields[1]?.length === ED25519_KEY_BYTES ? undefined : corrupt;
    case 'sk-ssh-ed25519@openssh.com':
      return fields.length === 3 && fields[1]?.length === ED25519_KEY_BYTES ? undefined : corrupt;
    case 'ssh-rsa': {
      const modulus = fields[2];
      if (fields.length !== 3 || modulus === undefined) {
        return corrupt;
      }
      const bits = rsaModulusBits(modulus);
      return bits >= MIN_RSA_BITS
        ? undefined
        : {
            message: `is a ${bits}-bit RSA key; at least ${MIN_RSA_BITS} bits are required`,
            hint: 'generate a stronger key with `ssh-keygen -t ed25519`',
          };
    }
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521': {
      const curve = type.slice('ecdsa-sha2-'.length);
      const point = fields[2];
      const valid =
        fields.length === 3 &&
        fields[1]?.toString('latin1') === curve &&
        point?.length === EC_POINT_BYTES[curve] &&
        point?.[0] === 0x04;
      return valid ? undefined : corrupt;
    }
  }
}

/** Checks one OpenSSH public key line: `<type> <base64 key> [comment]`. */
export function checkSshPublicKey(line: string): Problem | undefined {
  const text = line.trim();
  if (text.includes('PRIVATE KEY')) {
    return {
      message: 'is a private key',
      hint: 'never put a private key in the config: use the public key, the contents of the .pub file',
    };
  }
  if (text.startsWith('---- BEGIN SSH2 PUBLIC KEY')) {
    return {
      message: 'is an RFC 4716 (SSH2) public key, not an OpenSSH one',
      hint: 'convert it with `ssh-keygen -i -f key.pub`',
    };
  }
  const [type = '', blob] = text.split(/\s+/);
  if (!isSupportedType(type)) {
    return {
      message: `has an unsupported key type "${type}"`,
      hint: `use one of ${SSH_KEY_TYPES.join(', ')}; create a key with \`ssh-keygen -t ed25519\``,
    };
  }
  if (blob === undefined) {
    return { message: 'has no key data after the key type', hint: RECOPY_HINT };
  }
  if (blob.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) {
    return { message: 'has key data that is not valid base64', hint: RECOPY_HINT };
  }
  const fields = wireFields(Buffer.from(blob, 'base64'));
  const embedded = fields?.[0]?.toString('latin1');
  if (fields === undefined || embedded === undefined) {
    return { message: 'has key data that is truncated', hint: RECOPY_HINT };
  }
  if (embedded !== type) {
    const printable = /^[\x21-\x7e]{1,64}$/.test(embedded);
    return printable && isSupportedType(embedded)
      ? {
          message: `declares type "${type}" but its key data is a "${embedded}" key`,
          hint: `start the line with "${embedded}"`,
        }
      : {
          message: `declares type "${type}" but its key data is not an SSH public key of that type`,
          hint: RECOPY_HINT,
        };
  }
  return checkKeyMaterial(type, fields);
}
