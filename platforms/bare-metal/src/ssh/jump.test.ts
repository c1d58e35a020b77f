// --ssh-jump's shape, and real ssh going through the hop: a jump host where
// nothing listens must be what the connection fails on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deliverWithheldSecrets, SSH } from './deliver.ts';
import { SecretDeliveryError } from './errors.ts';
import { jumpProxyCommand, parseSshJump, SshJumpError, type SshJump } from './jump.ts';

const jump = (overrides: Partial<SshJump> = {}): SshJump => ({
  user: 'ops',
  host: 'bastion.example.com',
  port: 22,
  ...overrides,
});
const FILES = {
  identityFile: '/home/ops/.ssh/id_ed25519',
  knownHostsFile: '/var/lib/strata/known_hosts',
  connectTimeoutSeconds: 3,
};

describe('--ssh-jump', () => {
  it('takes user@host, user@host:port, an IPv4 and a bracketed IPv6 address', () => {
    assert.deepEqual(parseSshJump('ops@bastion.example.com'), jump());
    assert.deepEqual(parseSshJump('ops@bastion.example.com:2222'), jump({ port: 2222 }));
    assert.deepEqual(parseSshJump('ec2-user@203.0.113.7'), jump({ user: 'ec2-user', host: '203.0.113.7' }));
    assert.deepEqual(parseSshJump('ops@[2001:db8::7]:22'), jump({ host: '2001:db8::7' }));
  });

  it('refuses anything else, naming the flag and the value', () => {
    for (const value of [
      'bastion.example.com',
      'ops@',
      'ops@bastion:0',
      'ops@bastion:70000',
      'ops@bastion;touch /tmp/x',
      'ops@$(id)',
      '-oProxyCommand=x@host',
      'o ps@bastion',
      'ops@bast_ion..example',
      'ops@2001:db8::7',
    ]) {
      assert.throws(
        () => parseSshJump(value),
        (error: unknown) =>
          error instanceof SshJumpError &&
          error.message.startsWith(`--ssh-jump ${JSON.stringify(value)}: `) &&
          error.context['field'] === '--ssh-jump',
        value,
      );
    }
  });

  it('hops with the same identity, batch mode and pinned host keys, the controller address left to ssh', () => {
    const command = jumpProxyCommand(SSH, jump({ port: 2222 }), FILES);
    assert.equal(
      command,
      `${SSH} -F none -i '/home/ops/.ssh/id_ed25519' -p 2222 -o BatchMode=yes -o IdentitiesOnly=yes ` +
        '-o PasswordAuthentication=no -o KbdInteractiveAuthentication=no -o StrictHostKeyChecking=accept-new ' +
        "-o UserKnownHostsFile='/var/lib/strata/known_hosts' -o GlobalKnownHostsFile=/dev/null " +
        '-o HostKeyAlias=jump.bastion.example.com -o UpdateHostKeys=no -o ConnectTimeout=3 -o LogLevel=ERROR ' +
        "-W '[%h]:%p' ops@bastion.example.com",
    );
    assert.match(jumpProxyCommand(SSH, jump({ host: '2001:db8::7' }), FILES), / ops@\[2001:db8::7\]$/);
  });

  it('refuses a file path the shell or ssh would read as something else', () => {
    for (const path of ["/home/o'ps/key", '/home/ops/%h', 'relative/key', '/home/ops/my key']) {
      assert.throws(() => jumpProxyCommand(SSH, jump(), { ...FILES, identityFile: path }), SshJumpError, path);
    }
  });

  it('real ssh goes through the jump host: one where nothing listens is what fails', async () => {
    // The controller's own port would answer (or refuse) differently; port 1 is the jump's.
    await assert.rejects(
      deliverWithheldSecrets({ machine: 'ctrl1', host: '10.0.0.10', port: 22, user: 'core' }, [], {
        identityFile: '/nonexistent/key',
        knownHostsFile: '/tmp/strata-jump-test-known_hosts',
        connectTimeoutSeconds: 3,
        jump: jump({ host: '127.0.0.1', port: 1 }),
      }),
      (error: unknown) => {
        assert.ok(error instanceof SecretDeliveryError, String(error));
        assert.match(error.message, /^ctrl1: connecting to core@10\.0\.0\.10:22 failed: /);
        assert.match(error.message, /127\.0\.0\.1 port 1: Connection refused/);
        return true;
      },
    );
  });
});
