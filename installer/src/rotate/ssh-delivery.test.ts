// The rotation's SSH path against a port where nothing listens: real ssh, a
// real refusal. Nothing here needs a machine that answers.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { makeSshKeyPair } from '../testing/ssh-key-pair.ts';
import {
  encryptionConfiguration,
  generateEncryptionKey,
  NODE_PATHS,
  textDataUrl,
  type WithheldFile,
} from '@strata/assets';
import { EncryptionRotationError, rotateEncryptionKey, type RotationTarget } from './encryption-key.ts';
import { sshDelivery, type SshAccess, type SshController, type WithheldFiles } from './ssh-delivery.ts';

const CONTROLLERS: readonly SshController[] = [
  { name: 'ctrl1', host: '127.0.0.1' },
  { name: 'ctrl2', host: '127.0.0.1' },
];

/** Withheld files as the renderer gives them: the encryption configuration (and a key beside it) per controller. */
function withheldOf(text: string | undefined): WithheldFiles {
  const files = (): WithheldFile[] => [
    { path: '/etc/kubernetes/pki/apiserver.key', mode: 0o600, source: textDataUrl('not a key') },
    ...(text === undefined ? [] : [{ path: NODE_PATHS.encryptionConfig, mode: 0o600, source: textDataUrl(text) }]),
  ];
  return () => Promise.resolve(new Map(CONTROLLERS.map((controller) => [controller.name, files()])));
}

/** A target whose servers are never asked anything: the rotation must stop before it reaches them. */
function unreachableTarget(delivery: Pick<RotationTarget, 'reach' | 'deliver'>): RotationTarget {
  const tls = { ca: '', cert: '', key: '' };
  return {
    apiServers: CONTROLLERS.map((controller) => ({ name: controller.name, url: 'https://127.0.0.1:1', tls })),
    kubeConfig: new KubeConfig(),
    etcd: { etcdctl: '/nonexistent/etcdctl', endpoints: 'https://127.0.0.1:1', caPath: '', certPath: '', keyPath: '' },
    ...delivery,
  };
}

describe('the rotation over SSH', () => {
  let dir: string;
  let access: SshAccess;
  const text = encryptionConfiguration([generateEncryptionKey()]);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-rotate-ssh-'));
    await makeSshKeyPair(join(dir, 'id_ed25519'));
    // Port 1: nothing listens there.
    access = { identityFile: join(dir, 'id_ed25519'), knownHostsFile: join(dir, 'known_hosts'), port: 1, user: 'core' };
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("an unreachable controller stops the rotation before the first step is rendered, naming each and ssh's error", async () => {
    const rendered: string[] = [];
    await assert.rejects(
      rotateEncryptionKey(unreachableTarget(sshDelivery(CONTROLLERS, access, withheldOf(text))), {
        render: (step) => {
          rendered.push(step);
          return Promise.resolve(text);
        },
      }),
      (error: unknown) => {
        assert.ok(error instanceof EncryptionRotationError, String(error));
        assert.match(error.message, /^reaching the controllers over SSH failed on 2 controller\(s\):/);
        for (const name of ['ctrl1', 'ctrl2']) {
          assert.match(
            error.message,
            new RegExp(
              `^${name}: connecting to core@127\\.0\\.0\\.1:1 failed: ssh: connect to host 127\\.0\\.0\\.1 port 1: Connection refused$`,
              'm',
            ),
          );
        }
        assert.deepEqual(error.context['controllers'], ['ctrl1', 'ctrl2']);
        return true;
      },
    );
    assert.deepEqual(rendered, []);
  });

  it("sends nothing when a controller's rendered Ignition withholds no encryption configuration", async () => {
    // Were anything sent, the error would be ssh's refusal.
    await assert.rejects(sshDelivery(CONTROLLERS, access, withheldOf(undefined)).deliver(text), {
      name: 'EncryptionRotationError',
      message: `ctrl1's rendered Ignition withholds no ${NODE_PATHS.encryptionConfig}: render the cluster again from its config`,
    });
  });

  it('sends nothing when the rendered Ignition carries another configuration than the one the servers must load', async () => {
    const other = encryptionConfiguration([generateEncryptionKey()]);
    await assert.rejects(sshDelivery(CONTROLLERS, access, withheldOf(other)).deliver(text), (error: unknown) => {
      assert.ok(error instanceof EncryptionRotationError);
      assert.match(error.message, /^ctrl1's rendered Ignition carries another .* than the asset directory's$/);
      // Neither configuration's key is in the message.
      for (const config of [text, other]) assert.ok(!error.message.includes(/secret: (\S+)/.exec(config)?.[1] ?? '?'));
      return true;
    });
  });
});
