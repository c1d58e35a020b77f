import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import {
  encryptionConfiguration,
  parseEncryptionKeys,
  pemPairPaths,
  rotateEncryptionKeys,
  type EncryptionKeyRotationStep,
} from '@strata/assets';
import { SECRET_FILE_MODE, writeFileAtomic } from '@strata/host';
import { HarnessCluster, startControlPlane, uniqueName, type RunningControlPlane } from '@strata/harness';
import { rotateEncryptionKey, secretsNotUnder, type RotationEvent, type RotationTarget } from './encryption-key.ts';

// Its own control plane: the rotation changes the key every Secret of the shared one is stored under.
describe('rotating the Secrets encryption key on a running API server', () => {
  let plane: RunningControlPlane;
  let target: RotationTarget;
  let configPath: string;
  const namespace = uniqueName('rotation');
  const values = new Map([...Array(3).keys()].map((index) => [`held-${index}`, `plain-text-${uniqueName('v')}`]));

  before(async () => {
    plane = await startControlPlane();
    const cluster = new HarnessCluster(plane.info);
    const admin = pemPairPaths(plane.info.pkiDir, 'admin');
    const etcdClient = pemPairPaths(plane.info.pkiDir, 'apiserver-etcd-client');
    configPath = join(plane.info.dir, 'encryption-config.yaml');
    target = {
      apiServers: [
        {
          name: 'kube-apiserver',
          url: plane.info.server,
          tls: {
            ca: await readFile(pemPairPaths(plane.info.pkiDir, 'ca').certificatePath, 'utf8'),
            cert: await readFile(admin.certificatePath, 'utf8'),
            key: await readFile(admin.privateKeyPath, 'utf8'),
          },
        },
      ],
      kubeConfig: cluster.adminKubeConfig(),
      etcd: {
        etcdctl: plane.info.binaries.etcdctl,
        endpoints: plane.info.etcdEndpoint,
        caPath: pemPairPaths(plane.info.pkiDir, 'etcd-ca').certificatePath,
        certPath: etcdClient.certificatePath,
        keyPath: etcdClient.privateKeyPath,
      },
      reach: () => Promise.resolve(),
      deliver: (text) => writeFileAtomic(configPath, text, SECRET_FILE_MODE),
    };
    const core = target.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    for (const [name, value] of values) {
      await core.createNamespacedSecret({ namespace, body: { metadata: { name }, stringData: { value } } });
    }
  });
  after(async () => {
    await plane.stop();
  });

  it('moves every Secret under a new key, keeps every value, and drops the old key only then', async () => {
    const original = parseEncryptionKeys(await readFile(configPath, 'utf8'));
    assert.deepEqual(
      original.map((key) => key.name),
      ['strata-1'],
    );
    assert.ok((await secretsNotUnder(target.etcd, 'strata-1')).length === 0, 'the test starts under strata-1');
    // The renderer's part, on the file the server reads: each step from the keys as they are.
    let current = await readFile(configPath, 'utf8');
    const render = (step: EncryptionKeyRotationStep) => {
      current = encryptionConfiguration(rotateEncryptionKeys(parseEncryptionKeys(current), step));
      return Promise.resolve(current);
    };
    const events: RotationEvent[] = [];
    const result = await rotateEncryptionKey(target, { render, onEvent: (event) => events.push(event) });

    assert.equal(result.key, 'strata-2');
    assert.ok(result.secretsRewritten >= values.size, `rewrote ${result.secretsRewritten}`);
    assert.deepEqual(await secretsNotUnder(target.etcd, 'strata-2'), []);
    const onDisk = parseEncryptionKeys(await readFile(configPath, 'utf8'));
    assert.deepEqual(
      onDisk.map((key) => key.name),
      ['strata-2'],
    );
    assert.notEqual(onDisk[0]?.secret, original[0]?.secret);
    // The server has loaded the configuration without the old key, and still reads every Secret.
    assert.deepEqual(
      events.filter((event) => event.kind === 'step').map((event) => event.step),
      ['add', 'promote', 'rewrite', 'verify', 'retire'],
    );
    assert.equal(events.filter((event) => event.kind === 'loaded').length, 2);
    const core = target.kubeConfig.makeApiClient(CoreV1Api);
    for (const [name, value] of values) {
      const read = await core.readNamespacedSecret({ name, namespace });
      assert.equal(Buffer.from(read.data?.['value'] ?? '', 'base64').toString(), value);
    }
  });
});
