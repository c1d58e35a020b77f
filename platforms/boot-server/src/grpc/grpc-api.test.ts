// matchbox's gRPC API against the in-memory store, through grpc-js and matchbox's own .proto files: what it writes
// is what the store holds, and each refusal carries its gRPC code and the field it is about.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status, type ServiceError } from '@grpc/grpc-js';
import { writeApiCredentials, type WriteApiCredentials } from '../api/testing/pki.ts';
import { MemoryBootStore } from '../store/memory-store.ts';
import { aGroup, aProfile } from '../testing/builders.ts';
import { startGrpcApi, type RunningGrpcApi } from './grpc-api.ts';
import { matchboxTestClient, type MatchboxTestClient } from './testing.ts';

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && 'code' in error && 'details' in error;
}

async function refusedWith(promise: Promise<unknown>, code: status, details?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isServiceError(error), `not a gRPC error: ${String(error)}`);
    assert.equal(status[error.code], status[code], error.details);
    if (details !== undefined) assert.match(error.details, details);
    return true;
  });
}

describe('matchbox gRPC API', () => {
  let credentials: WriteApiCredentials;
  let store: MemoryBootStore;
  let api: RunningGrpcApi;
  let client: MatchboxTestClient;

  before(async () => {
    credentials = await writeApiCredentials();
    store = new MemoryBootStore();
    api = await startGrpcApi({ address: '127.0.0.1:0', store, tls: credentials.serverTls });
    client = matchboxTestClient(api.endpoint, credentials);
  });
  after(async () => {
    client.close();
    await api.close();
  });

  it('puts, gets, lists and deletes a profile; a second delete is NOT_FOUND', async () => {
    const profile = aProfile({ id: 'grpc-worker' });
    await client.call('Profiles', 'ProfilePut', { profile });
    assert.deepEqual(store.snapshot().profiles.get('grpc-worker'), profile);
    const got = (await client.call('Profiles', 'ProfileGet', { id: 'grpc-worker' })) as { profile: unknown };
    assert.deepEqual(got.profile, profile);
    const listed = (await client.call('Profiles', 'ProfileList', {})) as { profiles: { id: string }[] };
    assert.deepEqual(
      listed.profiles.map((item) => item.id),
      ['grpc-worker'],
    );
    await client.call('Profiles', 'ProfileDelete', { id: 'grpc-worker' });
    assert.equal(store.snapshot().profiles.has('grpc-worker'), false);
    await refusedWith(client.call('Profiles', 'ProfileDelete', { id: 'grpc-worker' }), status.NOT_FOUND);
    await refusedWith(client.call('Profiles', 'ProfileGet', { id: 'grpc-worker' }), status.NOT_FOUND);
  });

  it('carries group metadata as JSON bytes both ways', async () => {
    const group = aGroup({ id: 'grpc-node1', profile: 'grpc-worker', metadata: { domain: 'node1.example.com' } });
    await client.call('Groups', 'GroupPut', {
      group: { ...group, metadata: Buffer.from(JSON.stringify(group.metadata)) },
    });
    assert.deepEqual(store.snapshot().groups.get('grpc-node1'), group);
    const got = (await client.call('Groups', 'GroupGet', { id: 'grpc-node1' })) as { group: { metadata: Buffer } };
    assert.deepEqual(JSON.parse(got.group.metadata.toString('utf8')), group.metadata);
  });

  it('selects the group and profile matchbox would, and answers NOT_FOUND when none matches', async () => {
    await client.call('Profiles', 'ProfilePut', { profile: aProfile({ id: 'grpc-select' }) });
    await client.call('Groups', 'GroupPut', {
      group: { id: 'grpc-select', profile: 'grpc-select', selector: { os: 'installed', mac: '52:54:00:aa:bb:cc' } },
    });
    await client.call('Groups', 'GroupPut', {
      group: { id: 'grpc-os', profile: 'missing', selector: { os: 'installed' } },
    });
    const labels = { mac: '52:54:00:aa:bb:cc', os: 'installed', uuid: 'x' };
    const selected = (await client.call('Select', 'SelectGroup', { labels })) as { group: { id: string } };
    assert.equal(selected.group.id, 'grpc-select');
    const profile = (await client.call('Select', 'SelectProfile', { labels })) as { profile: { id: string } };
    assert.equal(profile.profile.id, 'grpc-select');
    await refusedWith(
      client.call('Select', 'SelectProfile', { labels: { os: 'installed' } }),
      status.NOT_FOUND,
      /No matching Profile/,
    );
    await refusedWith(
      client.call('Select', 'SelectGroup', { labels: { os: 'other' } }),
      status.NOT_FOUND,
      /No matching Group/,
    );
  });

  it('stores Ignition and generic templates as text and deletes them', async () => {
    const config = '{"ignition":{"version":"3.4.0"}}';
    await client.call('Ignition', 'IgnitionPut', { name: 'grpc.ign', config: Buffer.from(config) });
    assert.equal(store.snapshot().templates.ignition.get('grpc.ign'), config);
    const got = (await client.call('Ignition', 'IgnitionGet', { name: 'grpc.ign' })) as { config: Buffer };
    assert.equal(got.config.toString('utf8'), config);
    await client.call('Generic', 'GenericPut', { name: 'grpc.txt', config: Buffer.from('hello {{.mac}}') });
    assert.equal(store.snapshot().templates.generic.get('grpc.txt'), 'hello {{.mac}}');
    await client.call('Ignition', 'IgnitionDelete', { name: 'grpc.ign' });
    await refusedWith(client.call('Ignition', 'IgnitionGet', { name: 'grpc.ign' }), status.NOT_FOUND);
    await refusedWith(client.call('Generic', 'GenericDelete', { name: 'absent.txt' }), status.NOT_FOUND);
  });

  it('refuses invalid writes with INVALID_ARGUMENT naming the field, and writes nothing', async () => {
    await refusedWith(client.call('Groups', 'GroupPut', {}), status.INVALID_ARGUMENT, /^group: /);
    await refusedWith(
      client.call('Groups', 'GroupPut', { group: { id: '../escape', profile: 'p' } }),
      status.INVALID_ARGUMENT,
      /^group\.id: /,
    );
    await refusedWith(
      client.call('Groups', 'GroupPut', { group: { id: 'bad-metadata', metadata: Buffer.from('{not json') } }),
      status.INVALID_ARGUMENT,
      /^group\.metadata: /,
    );
    await refusedWith(
      client.call('Profiles', 'ProfilePut', { profile: { id: 'p', ignition_id: 'a/b.ign' } }),
      status.INVALID_ARGUMENT,
      /^profile\.ignition_id: /,
    );
    await refusedWith(
      client.call('Ignition', 'IgnitionPut', { name: 'x/y.ign', config: Buffer.from('{}') }),
      status.INVALID_ARGUMENT,
      /^name: /,
    );
    await refusedWith(
      client.call('Ignition', 'IgnitionPut', { name: 'latin1.ign', config: Buffer.from([0xff, 0xfe]) }),
      status.INVALID_ARGUMENT,
      /^config: /,
    );
    assert.equal(store.snapshot().groups.has('bad-metadata'), false);
    assert.equal(store.snapshot().templates.ignition.has('latin1.ign'), false);
  });

  it('lets no client in without a certificate the CA signed', async () => {
    const anonymous = matchboxTestClient(api.endpoint, credentials, { withClientCertificate: false });
    try {
      await refusedWith(anonymous.call('Groups', 'GroupList', {}), status.UNAVAILABLE);
    } finally {
      anonymous.close();
    }
  });
});
