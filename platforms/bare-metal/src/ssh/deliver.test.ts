import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { textDataUrl } from '@strata/assets';
import { deliverWithheldSecrets, receiveCommand } from './deliver.ts';
import { SecretDeliveryError } from './errors.ts';

const TARGET = { machine: 'ctrl1', host: '127.0.0.1', port: 1, user: 'core' };
const CONTENT = 'PRIVATE-KEY-CONTENT-7f3a';
const OPTIONS = { identityFile: '/nonexistent/key', knownHostsFile: '/nonexistent/known_hosts' };

describe('delivering withheld files', () => {
  it('names each file by path and exact mode, never by content', () => {
    assert.equal(
      receiveCommand({ path: '/etc/kubernetes/pki/ca.key', mode: 0o600 }),
      'sudo install -D -m 0600 /dev/stdin /etc/kubernetes/pki/ca.key',
    );
    assert.equal(receiveCommand({ path: '/etc/x', mode: 0o640 }), 'sudo install -D -m 0640 /dev/stdin /etc/x');
  });

  it('refuses a path the machine would refuse before connecting', async () => {
    for (const path of ['/etc/../root/.ssh/authorized_keys', '/etc/with space', 'relative/path', '/etc/$(id)']) {
      await assert.rejects(
        deliverWithheldSecrets(TARGET, [{ path, mode: 0o600, source: textDataUrl(CONTENT) }], OPTIONS),
        (error: unknown) =>
          error instanceof SecretDeliveryError && error.message.includes(path) && !error.message.includes(CONTENT),
      );
    }
  });
});
