import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sharedControlPlane, uniqueName, waitFor, type HarnessCluster } from '@strata/harness';
import { BootApiClient } from '@strata/api/boot-client';
import { installBootCrds } from '@strata/boot-server';
import {
  aGroup,
  aProfile,
  temporaryDirectory,
  writeApiCredentials,
  type TemporaryDirectory,
  type WriteApiCredentials,
} from '@strata/boot-server/testing';
import { StrataProcess } from '../testing/strata-process.ts';

const MAC = '52:54:00:cc:dd:01';

describe('strata boot-server serve --store kubernetes: two replicas answer alike', () => {
  let cluster: HarnessCluster;
  let namespace: string;
  let tls: TemporaryDirectory;
  let credentials: WriteApiCredentials;
  const replicas: StrataProcess[] = [];

  before(async () => {
    cluster = await sharedControlPlane();
    await installBootCrds(cluster.adminKubeConfig());
    namespace = uniqueName('boot-cli');
    const created = await cluster.kubectl(['create', 'namespace', namespace]);
    assert.equal(created.code, 0, created.stderr);
    tls = await temporaryDirectory('strata-boot-cli-tls-');
    credentials = await writeApiCredentials();
    await writeFile(join(tls.path, 'server.crt'), credentials.server.certificatePem);
    await writeFile(join(tls.path, 'server.key'), credentials.server.privateKeyPem, { mode: 0o600 });
    await writeFile(join(tls.path, 'ca.crt'), credentials.caPem);
  });

  after(async () => {
    for (const replica of replicas) await replica.stop();
    await tls.remove();
    await cluster.kubectl(['delete', 'namespace', namespace, '--wait=false']);
  });

  async function startReplica(): Promise<{ bootUrl: string; apiUrl: string }> {
    const replica = new StrataProcess([
      'boot-server',
      'serve',
      '--address',
      '127.0.0.1:0',
      '--assets-path',
      '',
      '--store',
      'kubernetes',
      '--kubeconfig',
      cluster.kubeconfigPath,
      '--namespace',
      namespace,
      '--api-address',
      '127.0.0.1:0',
      '--cert-file',
      join(tls.path, 'server.crt'),
      '--key-file',
      join(tls.path, 'server.key'),
      '--ca-file',
      join(tls.path, 'ca.crt'),
    ]);
    replicas.push(replica);
    const [, bootUrl = ''] = await replica.waitForStderr(
      /boot server listening on (http:\/\/\S+) \(Kubernetes namespace (\S+);/,
    );
    const [, apiUrl = ''] = await replica.waitForStderr(/write API listening on (https:\/\/\S+)/);
    return { bootUrl, apiUrl };
  }

  it('a write through one replica is served by the other', async () => {
    const [first, second] = await Promise.all([startReplica(), startReplica()]);
    const client = new BootApiClient(credentials.endpoint(first.apiUrl));
    try {
      await client.putProfile(
        aProfile({
          id: 'worker',
          boot: { kernel: '/assets/vmlinuz', initrd: [], args: ['console=ttyS0'] },
          ignition_id: 'worker.bu',
        }),
      );
      await client.putGroup(
        aGroup({ id: 'node1', profile: 'worker', selector: { mac: MAC }, metadata: { hostname: 'node1' } }),
      );
      // A Butane template, as matchbox serves an ignition_id that does not end in .ign: rendered, then translated.
      await client.putTemplate(
        'ignition',
        'worker.bu',
        [
          'variant: flatcar',
          'version: 1.0.0',
          'storage:',
          '  files:',
          '    - path: /etc/hostname',
          '      contents:',
          '        inline: {{.hostname}}',
          '',
        ].join('\n'),
      );
      const expected = '#!ipxe\nkernel /assets/vmlinuz console=ttyS0\nboot\n';
      for (const replica of [first, second]) {
        const script = await waitFor(`the group on ${replica.bootUrl}`, async () => {
          const response = await fetch(`${replica.bootUrl}/ipxe?mac=${MAC}`);
          const text = await response.text();
          return response.status === 200 ? text : undefined;
        });
        assert.equal(script, expected);
        const ignition = await waitFor(`the Ignition config on ${replica.bootUrl}`, async () => {
          const response = await fetch(`${replica.bootUrl}/ignition?mac=${MAC}`);
          return response.status === 200
            ? ((await response.json()) as { storage: { files: { contents: { source: string } }[] } })
            : undefined;
        });
        assert.equal(ignition.storage.files[0]?.contents.source, 'data:,node1', 'rendered with the group metadata');
      }
      // Each replica's write API lists what its own read side served (GET /v1/served): the boot script and the config.
      for (const replica of [first, second]) {
        const own = new BootApiClient(credentials.endpoint(replica.apiUrl));
        try {
          const [record, ...others] = await own.listServed();
          assert.equal(record?.mac, MAC);
          assert.ok(record.bootScriptAt !== undefined && record.ignitionAt !== undefined, JSON.stringify(record));
          assert.deepEqual(others, []);
        } finally {
          own.close();
        }
      }
      const kubectl = await cluster.kubectl(['get', 'machinegroups', '-n', namespace, '-o', 'name']);
      assert.equal(kubectl.stdout.trim(), 'machinegroup.boot.strata.dev/node1', 'the data lives in Kubernetes');
    } finally {
      client.close();
    }
  });
});
