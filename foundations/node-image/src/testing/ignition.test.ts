import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IGNITION_SPEC_VERSION, ignitionConfig, sshEd25519PublicKey } from './ignition.ts';

describe('the Ignition config builder', () => {
  it('writes files as data URLs with decimal modes, units and users, at spec 3.4.0', () => {
    const content = 'hello, wörld / 100% #1\n';
    const parsed = JSON.parse(
      ignitionConfig({
        files: [{ path: '/etc/strata/hello', contents: content, mode: 0o600 }],
        units: [{ name: 'a.service', contents: '[Service]\n', enabled: true }],
        users: [{ name: 'core', sshAuthorizedKeys: ['ssh-ed25519 AAAA test'] }],
      }),
    ) as {
      ignition: { version: string };
      storage: { files: { path: string; mode: number; contents: { source: string } }[] };
      systemd: { units: { name: string; enabled: boolean }[] };
      passwd: { users: { name: string; sshAuthorizedKeys: string[] }[] };
    };
    assert.equal(parsed.ignition.version, IGNITION_SPEC_VERSION);
    const [file] = parsed.storage.files;
    assert.equal(file?.mode, 384);
    assert.equal(decodeURIComponent(file?.contents.source.replace(/^data:,/, '') ?? ''), content);
    assert.deepEqual(parsed.systemd.units[0], { name: 'a.service', contents: '[Service]\n', enabled: true });
    assert.deepEqual(parsed.passwd.users[0], { name: 'core', sshAuthorizedKeys: ['ssh-ed25519 AAAA test'] });
  });

  it('leaves out the sections a config does not use, and takes another version when asked', () => {
    assert.deepEqual(JSON.parse(ignitionConfig({ version: '9.9.9' })), { ignition: { version: '9.9.9' } });
  });

  it('makes OpenSSH ed25519 public keys', () => {
    const key = sshEd25519PublicKey('me@test');
    const [type, blob, comment] = key.split(' ');
    assert.equal(type, 'ssh-ed25519');
    assert.equal(comment, 'me@test');
    const bytes = Buffer.from(blob ?? '', 'base64');
    // "ssh-ed25519" (4 + 11 bytes) then the 32-byte key (4 + 32).
    assert.equal(bytes.length, 51);
    assert.equal(bytes.subarray(4, 15).toString(), 'ssh-ed25519');
    assert.notEqual(sshEd25519PublicKey('me@test'), key);
  });
});
