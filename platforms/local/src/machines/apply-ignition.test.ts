import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IgnitionBuilder, assertValidIgnition } from '@strata/assets';
import { applyIgnition, authorizedKeysPath } from './apply-ignition.ts';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKRNkThcvD8KWu8Mejxa29enICHJDP5j1sTxRpzjodJp alice@example.com';

function anInstalledConfig() {
  const builder = new IgnitionBuilder()
    .file({ path: '/etc/hostname', contents: 'ctrl1\n', mode: 0o644 })
    .file({ path: '/etc/kubernetes/pki/ca.key', contents: 'PRIVATE\n', mode: 0o600 })
    .unit({ name: 'kubelet.service', enabled: true, contents: '[Service]\nExecStart=/usr/bin/kubelet\n' })
    .dropin('containerd.service', { name: '10-strata.conf', contents: '[Service]\nEnvironment=X=1\n' })
    .user({ name: 'core', sshAuthorizedKeys: [KEY] });
  const config = assertValidIgnition(JSON.parse(builder.render()));
  return {
    ...config,
    storage: {
      ...config.storage,
      files: [
        ...(config.storage?.files ?? []),
        { path: '/opt/extensions/k.raw', contents: { source: 'https://extensions.example.com/k.raw' }, mode: 0o644 },
      ],
      links: [{ path: '/etc/extensions/k.raw', target: '/opt/extensions/k.raw' }],
      directories: [{ path: '/var/lib/etcd', mode: 0o700 }],
    },
  };
}

describe('applying an Ignition config to a machine root', () => {
  it('writes files with their modes, units, drop-ins, links, directories and the users keys; remote files are listed', async () => {
    const root = await mkdtemp(join(tmpdir(), 'strata-apply-ignition-'));
    try {
      const applied = await applyIgnition(anInstalledConfig(), root, 'http://boot/ignition');
      assert.equal(await readFile(join(root, '/etc/hostname'), 'utf8'), 'ctrl1\n');
      assert.equal((await stat(join(root, '/etc/kubernetes/pki/ca.key'))).mode & 0o777, 0o600);
      assert.equal((await stat(join(root, '/etc/hostname'))).mode & 0o777, 0o644);
      assert.match(
        await readFile(join(root, '/etc/systemd/system/kubelet.service'), 'utf8'),
        /ExecStart=\/usr\/bin\/kubelet/,
      );
      assert.match(
        await readFile(join(root, '/etc/systemd/system/containerd.service.d/10-strata.conf'), 'utf8'),
        /X=1/,
      );
      assert.equal(await readFile(join(root, authorizedKeysPath('core')), 'utf8'), `${KEY}\n`);
      assert.equal((await stat(join(root, authorizedKeysPath('core')))).mode & 0o777, 0o600);
      assert.equal(await readlink(join(root, '/etc/extensions/k.raw')), join(root, '/opt/extensions/k.raw'));
      assert.equal((await stat(join(root, '/var/lib/etcd'))).isDirectory(), true);
      assert.deepEqual(applied.notFetched, [
        { path: '/opt/extensions/k.raw', source: 'https://extensions.example.com/k.raw' },
      ]);
      assert.deepEqual(applied.enabledUnits, ['kubelet.service']);
      await assert.rejects(stat(join(root, '/opt/extensions/k.raw')), { code: 'ENOENT' });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
