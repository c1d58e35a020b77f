import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aProfile } from '@strata/boot-server/testing';
import { diffInputs, PROVIDER_PROPERTY } from './diff.ts';

type ProfileState = {
  endpoint: { url: string; caPem: string; certPem: string; keyPem: string };
  profileId: string;
  name: string;
  boot: { kernel: string; initrd: string[]; args: string[] };
  ignitionId: string;
  genericId: string;
  [PROVIDER_PROPERTY]?: string;
};

/** A profile resource's state as the provider stores it; tests change what they are about. */
function aProfileState(overrides: Partial<ProfileState> = {}): ProfileState {
  const profile = aProfile({ id: 'worker' });
  return {
    endpoint: { url: 'https://127.0.0.1:8081', caPem: 'CA', certPem: 'CERT', keyPem: 'KEY' },
    profileId: profile.id,
    name: profile.name,
    boot: profile.boot,
    ignitionId: profile.ignition_id,
    genericId: profile.generic_id,
    ...overrides,
  };
}

describe('the providers diff', () => {
  it('reports no change when only the serialized provider code differs', () => {
    const diff = diffInputs(
      aProfileState({ [PROVIDER_PROPERTY]: 'old code' }),
      aProfileState({ [PROVIDER_PROPERTY]: 'new code' }),
      'profileId',
    );
    assert.equal(diff.changes, false);
    assert.deepEqual(diff.changed, []);
    assert.deepEqual(diff.stables, ['boot', 'endpoint', 'genericId', 'ignitionId', 'name', 'profileId']);
  });

  it('updates in place when content changes, naming each changed property', () => {
    const old = aProfileState();
    const diff = diffInputs(
      old,
      aProfileState({ name: 'renamed', boot: { ...old.boot, args: [...old.boot.args, 'console=ttyS1'] } }),
      'profileId',
    );
    assert.equal(diff.changes, true);
    assert.deepEqual(diff.changed, ['boot', 'name']);
    assert.deepEqual(diff.replaces, []);
    assert.equal(diff.deleteBeforeReplace, false);
  });

  it('replaces the resource when its id changes, creating the new one first', () => {
    const diff = diffInputs(aProfileState(), aProfileState({ profileId: 'another' }), 'profileId');
    assert.deepEqual(diff.replaces, ['profileId']);
    assert.equal(diff.deleteBeforeReplace, false);
  });

  it('updates in place when only the client credentials change', () => {
    const old = aProfileState();
    const diff = diffInputs(
      old,
      aProfileState({ endpoint: { ...old.endpoint, certPem: 'NEW CERT', keyPem: 'NEW KEY' } }),
      'profileId',
    );
    assert.deepEqual(diff.changed, ['endpoint']);
    assert.deepEqual(diff.replaces, []);
  });

  it('replaces the resource on another boot server, deleting the old one first when the id stays', () => {
    const old = aProfileState();
    const moved = diffInputs(
      old,
      aProfileState({ endpoint: { ...old.endpoint, url: 'https://boot2.example.com:8081' } }),
      'profileId',
    );
    assert.deepEqual(moved.replaces, ['endpoint']);
    // Created first, the new profile could be the old one (same server under another name) and would then be deleted.
    assert.equal(moved.deleteBeforeReplace, true);
    const movedAndRenamed = diffInputs(
      old,
      aProfileState({ profileId: 'other', endpoint: { ...old.endpoint, url: 'https://boot2.example.com:8081' } }),
      'profileId',
    );
    assert.deepEqual(movedAndRenamed.replaces, ['profileId', 'endpoint']);
    assert.equal(movedAndRenamed.deleteBeforeReplace, false);
  });
});
