// matchbox's own gRPC client, bootcmd v0.11.0 (built from Go modules by @strata/binaries), against Strata's gRPC API
// on the directory store: what bootcmd creates, the read side serves; what it lists and describes is what was written.
// bootcmd has no delete commands, so deletes go through matchbox's protos with grpc-js, and the read side's 404 and
// bootcmd's own listing prove them.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveBinary } from '@strata/binaries';
import { runCommand, writeFileAtomic } from '@strata/host';
import { writeApiCredentials, type WriteApiCredentials } from '../api/testing/pki.ts';
import { silentLogger } from '../logging.ts';
import { startBootServer, type BootServer } from '../server/boot-server.ts';
import { DataDirectoryStore } from '../store/directory-store.ts';
import { aProfile, macOf } from '../testing/builders.ts';
import { temporaryDirectory, type TemporaryDirectory } from '../testing/data-dir.ts';
import { startGrpcApi, type RunningGrpcApi } from './grpc-api.ts';
import { matchboxTestClient } from './testing.ts';

describe('bootcmd (matchbox v0.11.0) against the gRPC API', () => {
  let bootcmdPath: string;
  let credentials: WriteApiCredentials;
  let data: TemporaryDirectory;
  let work: TemporaryDirectory;
  let store: DataDirectoryStore;
  let api: RunningGrpcApi;
  let http: BootServer;

  before(async () => {
    // `npm test`'s binaries phase builds it; alone, `strata binaries bootcmd` does (this call builds it if Go is there).
    bootcmdPath = await resolveBinary('bootcmd');
    credentials = await writeApiCredentials();
    data = await temporaryDirectory('strata-bootcmd-data-');
    work = await temporaryDirectory('strata-bootcmd-');
    await writeFileAtomic(join(work.path, 'ca.crt'), credentials.caPem, 0o644);
    await writeFileAtomic(join(work.path, 'client.crt'), credentials.client.certificatePem, 0o644);
    await writeFileAtomic(join(work.path, 'client.key'), credentials.client.privateKeyPem, 0o600);
    store = await DataDirectoryStore.open({ dataPath: data.path, logger: silentLogger(), watch: false });
    api = await startGrpcApi({ address: '127.0.0.1:0', store, tls: credentials.serverTls });
    http = await startBootServer({ address: '127.0.0.1:0', store, logger: silentLogger() });
  });
  after(async () => {
    await http.close();
    await api.close();
    await store.close();
    await data.remove();
    await work.remove();
  });

  const bootcmd = async (...args: string[]): Promise<string> => {
    const result = await runCommand(bootcmdPath, [
      '--endpoints',
      api.endpoint,
      '--ca-file',
      join(work.path, 'ca.crt'),
      '--cert-file',
      join(work.path, 'client.crt'),
      '--key-file',
      join(work.path, 'client.key'),
      ...args,
    ]);
    assert.equal(result.code, 0, `bootcmd ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  };
  const writeInput = async (name: string, text: string): Promise<string> => {
    const path = join(work.path, name);
    await writeFileAtomic(path, text, 0o644);
    return path;
  };

  it('creates, lists, describes and deletes profiles, groups and Ignition, as the read side shows', async () => {
    const mac = macOf(17);
    const profile = aProfile({ id: 'bootcmd-worker', ignition_id: 'bootcmd-worker.ign' });
    await bootcmd('profile', 'create', '-f', await writeInput('profile.json', JSON.stringify(profile)));
    const group = { id: 'bootcmd-node1', name: 'node one', profile: profile.id, selector: { mac }, metadata: { n: 1 } };
    await bootcmd('group', 'create', '-f', await writeInput('group.json', JSON.stringify(group)));
    const ignition =
      '{"ignition":{"version":"3.4.0"},"storage":{"files":[{"path":"/etc/hostname","contents":{"source":"data:,node1"}}]}}';
    await bootcmd('ignition', 'create', '-f', await writeInput('bootcmd-worker.ign', ignition));

    assert.match(await bootcmd('profile', 'list'), /^bootcmd-worker\s/m);
    assert.match(await bootcmd('profile', 'describe', 'bootcmd-worker'), /bootcmd-worker\.ign/);
    const groups = await bootcmd('group', 'list');
    assert.match(groups, new RegExp(`^bootcmd-node1\\s+node one\\s+.*${mac}.*\\s+bootcmd-worker`, 'm'));
    assert.match(await bootcmd('group', 'describe', 'bootcmd-node1'), /bootcmd-node1/);

    const ipxe = await fetch(`${http.url}/ipxe?mac=${mac}`);
    assert.equal(ipxe.status, 200);
    assert.match(await ipxe.text(), new RegExp(profile.boot.kernel.replaceAll('.', '\\.')));
    const served = await fetch(`${http.url}/ignition?mac=${mac}`);
    assert.equal(served.status, 200);
    // An .ign file is raw Ignition (parsed and re-serialised as 3.4, not templated), as in matchbox.
    assert.match(await served.text(), /"path":"\/etc\/hostname".*"source":"data:,node1"/);

    const client = matchboxTestClient(api.endpoint, credentials);
    try {
      await client.call('Groups', 'GroupDelete', { id: 'bootcmd-node1' });
      await client.call('Profiles', 'ProfileDelete', { id: 'bootcmd-worker' });
      await client.call('Ignition', 'IgnitionDelete', { name: 'bootcmd-worker.ign' });
    } finally {
      client.close();
    }
    assert.doesNotMatch(await bootcmd('group', 'list'), /bootcmd-node1/);
    assert.doesNotMatch(await bootcmd('profile', 'list'), /bootcmd-worker/);
    assert.equal((await fetch(`${http.url}/ipxe?mac=${mac}`)).status, 404);
    assert.equal((await fetch(`${http.url}/ignition?mac=${mac}`)).status, 404);
  });
});
