import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { TEST_SSH_KEYS } from './fixtures.ts';
import { checkSshPublicKey, SSH_KEY_PATTERN } from './ssh-key.ts';

/** The SSH wire encoding: each field as a uint32 length and its bytes. */
function wire(...fields: (string | Buffer)[]): string {
  return Buffer.concat(
    fields.map((field) => {
      const bytes = typeof field === 'string' ? Buffer.from(field) : field;
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return Buffer.concat([length, bytes]);
    }),
  ).toString('base64');
}

function mpint(base64url: string): Buffer {
  const bytes = Buffer.from(base64url, 'base64url');
  return (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
}

function rsaKey(bits: number): string {
  const { n, e } = generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' });
  return `ssh-rsa ${wire('ssh-rsa', mpint(e ?? ''), mpint(n ?? ''))} test@example.com`;
}

function ed25519Key(): string {
  const { x } = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
  return `ssh-ed25519 ${wire('ssh-ed25519', Buffer.from(x ?? '', 'base64url'))}`;
}

const RECOPY = 'copy the whole line of the .pub file again; it was probably cut, wrapped or edited';

describe('SSH public keys', () => {
  it('accepts keys made by ssh-keygen and by hand, with or without a comment', () => {
    for (const key of [
      TEST_SSH_KEYS.ed25519,
      TEST_SSH_KEYS.ecdsa,
      ed25519Key(),
      rsaKey(2048),
      `  ${TEST_SSH_KEYS.ed25519}\n`,
    ]) {
      assert.equal(checkSshPublicKey(key), undefined, key);
      assert.match(key, SSH_KEY_PATTERN);
    }
  });

  it('rejects short RSA keys', () => {
    assert.deepEqual(checkSshPublicKey(rsaKey(1024)), {
      message: 'is a 1024-bit RSA key; at least 2048 bits are required',
      hint: 'generate a stronger key with `ssh-keygen -t ed25519`',
    });
  });

  it('rejects keys whose data does not hold what the type says', () => {
    const [, blob = ''] = TEST_SSH_KEYS.ed25519.split(' ');
    assert.deepEqual(checkSshPublicKey(`ssh-ed25519 ${wire('ssh-ed25519', Buffer.alloc(31))}`), {
      message: 'has key data that is not a valid ssh-ed25519 public key',
      hint: RECOPY,
    });
    assert.deepEqual(checkSshPublicKey(`ssh-ed25519 ${blob.slice(0, -4)}`), {
      message: 'has key data that is truncated',
      hint: RECOPY,
    });
    assert.deepEqual(checkSshPublicKey(`ssh-ed25519 ${Buffer.from('not a key at all').toString('base64')}`), {
      message: 'has key data that is truncated',
      hint: RECOPY,
    });
    assert.deepEqual(checkSshPublicKey(`ecdsa-sha2-nistp384 ${TEST_SSH_KEYS.ecdsa.split(' ')[1] ?? ''}`), {
      message: 'declares type "ecdsa-sha2-nistp384" but its key data is a "ecdsa-sha2-nistp256" key',
      hint: 'start the line with "ecdsa-sha2-nistp256"',
    });
  });

  it('recognizes the usual mistakes', () => {
    assert.deepEqual(
      checkSshPublicKey(
        '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----',
      ),
      {
        message: 'is a private key',
        hint: 'never put a private key in the config: use the public key, the contents of the .pub file',
      },
    );
    assert.equal(
      checkSshPublicKey('---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n---- END SSH2 PUBLIC KEY ----')?.message,
      'is an RFC 4716 (SSH2) public key, not an OpenSSH one',
    );
    assert.equal(checkSshPublicKey('ssh-ed25519')?.message, 'has no key data after the key type');
    assert.equal(checkSshPublicKey('ssh-dss AAAAB3NzaC1kc3M=')?.message, 'has an unsupported key type "ssh-dss"');
    assert.equal(checkSshPublicKey('no-pty ssh-ed25519 AAAA')?.message, 'has an unsupported key type "no-pty"');
  });
});
