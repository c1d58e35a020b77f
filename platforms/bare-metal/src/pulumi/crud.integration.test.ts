// The providers' CRUD against the real write API (mutual TLS), without the
// Pulumi engine; pulumi.integration.test.ts runs them under the engine.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { BootApiEndpoint, Profile } from '@strata/api';
import { startWriteApi, type RunningWriteApi } from '@strata/boot-server/testing';
import { aGroup, aProfile, captureLogger, writeApiCredentials } from '@strata/boot-server/testing';
import { MemoryBootStore } from '@strata/boot-server/testing';
import { BootResourceExistsError, crudProvider } from './crud.ts';

describe('the providers against the write API', () => {
  let store: MemoryBootStore;
  let api: RunningWriteApi;
  let endpoint: BootApiEndpoint;

  before(async () => {
    const credentials = await writeApiCredentials();
    store = new MemoryBootStore();
    api = await startWriteApi({
      address: '127.0.0.1:0',
      store,
      tls: credentials.serverTls,
      logger: captureLogger().logger,
    });
    endpoint = credentials.endpoint(api.url);
  });
  after(async () => {
    await api.close();
  });

  /** A profile resource's inputs, as the bare-metal program passes them. */
  const profileInputs = (profile: Profile) => ({
    endpoint,
    profileId: profile.id,
    name: profile.name,
    boot: profile.boot,
    ignitionId: profile.ignition_id,
  });

  it('creates, reads, updates and deletes a profile', async () => {
    const provider = crudProvider('profile');
    const profile = aProfile({ id: 'crud-profile' });
    const inputs = profileInputs(profile);
    const created = await provider.create(inputs);
    assert.equal(created.id, 'crud-profile');
    const outs = created.outs as Record<string, unknown>;
    assert.deepEqual(store.snapshot().profiles.get('crud-profile'), { ...profile, generic_id: '', cloud_id: '' });

    const read: unknown = await provider.read?.('crud-profile', outs);
    assert.deepEqual(read, { id: 'crud-profile', props: outs });

    const changed = { ...inputs, boot: { ...profile.boot, args: ['console=ttyS1'] } };
    await provider.update?.('crud-profile', outs, changed);
    assert.deepEqual(store.snapshot().profiles.get('crud-profile')?.boot.args, ['console=ttyS1']);

    await provider.delete?.('crud-profile', changed);
    assert.equal(store.snapshot().profiles.has('crud-profile'), false);
    // Deleting what is already gone succeeds: that is the state delete wanted.
    await provider.delete?.('crud-profile', changed);
  });

  it('refuses to create over a resource it does not manage', async () => {
    await store.putGroup(aGroup({ id: 'hand-made' }));
    await assert.rejects(
      crudProvider('group').create({ endpoint, groupId: 'hand-made', profile: 'worker' }),
      (error: unknown) =>
        error instanceof BootResourceExistsError &&
        /already has a group "hand-made" that this stack does not manage/.test(error.message),
    );
    assert.deepEqual(
      store.snapshot().groups.get('hand-made'),
      aGroup({ id: 'hand-made' }),
      'the existing group is untouched',
    );
  });

  it('adopts the very object a killed run wrote before its checkpoint, and refuses one that differs', async () => {
    const provider = crudProvider('profile');
    const profile = aProfile({ id: 'interrupted' });
    const inputs = profileInputs(profile);
    // The killed run's write reached the server; the state never recorded it, so the rerun creates it again.
    await provider.create(inputs);
    const written = store.snapshot().profiles.get('interrupted');
    const again = await provider.create(inputs);
    assert.equal(again.id, 'interrupted');
    assert.deepEqual(store.snapshot().profiles.get('interrupted'), written);

    const other = { ...inputs, boot: { ...profile.boot, args: ['console=ttyS1'] } };
    await assert.rejects(
      provider.create(other),
      (error: unknown) =>
        error instanceof BootResourceExistsError &&
        /already has a profile "interrupted" that this stack does not manage/.test(error.message),
    );
    assert.deepEqual(store.snapshot().profiles.get('interrupted'), written, 'the existing profile is untouched');
  });

  it('adopts a group and an Ignition config a killed run wrote, as an install writes them', async () => {
    const group = {
      endpoint,
      groupId: 'interrupted-group',
      profile: 'interrupted',
      selector: { mac: '52:54:00:00:00:09' },
      metadata: { ssh_authorized_keys: ['ssh-ed25519 AAAA test'], node: { role: 'worker', index: 2 } },
    };
    const ignition = { endpoint, templateName: 'interrupted.ign', content: '{"ignition":{"version":"3.4.0"}}' };
    for (const [kind, inputs] of [
      ['group', group],
      ['ignition', ignition],
    ] as const) {
      await crudProvider(kind).create(inputs);
      const before = store.snapshot();
      await crudProvider(kind).create(inputs);
      assert.deepEqual(store.snapshot(), before, `the ${kind} adopted, unchanged`);
    }
  });

  it('reads a resource deleted behind its back as gone, so that a refresh drops it', async () => {
    const provider = crudProvider('ignition');
    const created = await provider.create({
      endpoint,
      templateName: 'gone.ign',
      content: '{"ignition":{"version":"3.4.0"}}',
    });
    assert.equal(store.snapshot().templates.ignition.get('gone.ign'), '{"ignition":{"version":"3.4.0"}}');
    await store.deleteTemplate('ignition', 'gone.ign');
    assert.deepEqual(await provider.read?.('gone.ign', created.outs as Record<string, unknown>), {});
  });

  it('reports what the server holds now when it drifted', async () => {
    const provider = crudProvider('group');
    const created = await provider.create({
      endpoint,
      groupId: 'drifting',
      profile: 'worker',
      selector: { mac: '52:54:00:00:00:01' },
    });
    await store.putGroup(
      aGroup({ id: 'drifting', name: '', profile: 'worker', selector: { mac: '52:54:00:00:00:02' }, metadata: {} }),
    );
    const read: { props?: unknown } | undefined = await provider.read?.(
      'drifting',
      created.outs as Record<string, unknown>,
    );
    assert.deepEqual(read?.props, {
      endpoint,
      groupId: 'drifting',
      name: '',
      profile: 'worker',
      selector: { mac: '52:54:00:00:00:02' },
      metadata: {},
    });
  });
});
