import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CoreV1Api } from '@kubernetes/client-node';
import { pemPairPaths } from '@strata/assets';
import { runCommand } from '@strata/host';
import type { HarnessCluster } from './harness-cluster.ts';
import { sharedControlPlane } from './shared.ts';
import { uniqueName } from './unique-name.ts';

/** What etcd holds under `key`, read with etcdctl and the API server's own etcd client certificate. */
async function etcdValue(cluster: HarnessCluster, key: string): Promise<string> {
  const ca = pemPairPaths(cluster.info.pkiDir, 'etcd-ca');
  const client = pemPairPaths(cluster.info.pkiDir, 'apiserver-etcd-client');
  const result = await runCommand(cluster.info.binaries.etcdctl, [
    `--endpoints=${cluster.info.etcdEndpoint}`,
    `--cacert=${ca.certificatePath}`,
    `--cert=${client.certificatePath}`,
    `--key=${client.privateKeyPath}`,
    'get',
    '--print-value-only',
    key,
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.notEqual(result.stdout, '', `etcd holds nothing under ${key}`);
  return result.stdout;
}

describe('Secrets at rest in the harness etcd', () => {
  let cluster: HarnessCluster;
  let core: CoreV1Api;
  let namespace: string;

  before(async () => {
    cluster = await sharedControlPlane();
    core = cluster.adminKubeConfig().makeApiClient(CoreV1Api);
    namespace = uniqueName('encryption');
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });
  after(async () => {
    await core.deleteNamespace({ name: namespace });
  });

  it('are encrypted with secretbox, while the API still returns them and a ConfigMap stays readable', async () => {
    const value = `plain-text-${randomUUID()}`;
    await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'held' }, stringData: { value } } });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'control' }, data: { value } } });

    const read = await core.readNamespacedSecret({ name: 'held', namespace });
    assert.equal(Buffer.from(read.data?.['value'] ?? '', 'base64').toString(), value);

    // The control: the same value in a ConfigMap (not encrypted) is found where this test looks.
    assert.ok((await etcdValue(cluster, `/registry/configmaps/${namespace}/control`)).includes(value));
    const stored = await etcdValue(cluster, `/registry/secrets/${namespace}/held`);
    assert.ok(stored.startsWith('k8s:enc:secretbox:v1:'), `stored as ${JSON.stringify(stored.slice(0, 40))}`);
    assert.ok(!stored.includes(value), 'the value is in etcd in plain text');
    assert.ok(!stored.includes(Buffer.from(value).toString('base64')), 'the value is in etcd in base64');
  });
});
