import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SIMULATED_PAYLOADS_ANNOTATION, UPDATE_CHANNEL, UPDATE_GROUP, UPDATE_RELEASE } from '@strata/api';
import { simulatedPayload } from '@strata/omaha';
import { renderConfig } from '../../testing/fixtures.ts';
import { renderInput } from '../../render/render.ts';
import { localPayloadBaseUrl, updateServerDefaults } from '../../render/catalog/node-files.ts';
import { ManifestInputsError } from '../inputs.ts';
import { renderBootstrapManifests } from '../render.ts';
import { manifestInputs } from '../test-fixtures.ts';
import { updateGroupNames, updateReleaseName, updateServerDefaultObjects } from './defaults.ts';

const tls = {
  certPem: '-----BEGIN CERTIFICATE-----\nc2VydmluZw==\n-----END CERTIFICATE-----\n',
  keyPem: '-----BEGIN PRIVATE KEY-----\na2V5\n-----END PRIVATE KEY-----\n',
};

const kindsAndNames = (objects: readonly { kind?: string; metadata?: { name?: string } }[]) =>
  objects.map((object) => `${object.kind ?? '?'}/${object.metadata?.name ?? '?'}`);

describe("the update server's default configuration", () => {
  it('gives every track the nodes send a group, following its channel or os.channel, with the default policy', () => {
    const config = renderConfig({
      workerPools: [
        { name: 'worker', count: 2 },
        { name: 'canary', count: 1, updateGroup: 'Canary.Pool' },
        { name: 'edge', count: 1, updateGroup: 'beta' },
      ],
    });
    const defaults = updateServerDefaults(config, renderInput(config).topology);
    const objects = updateServerDefaultObjects(defaults ?? { groups: [] });
    assert.deepEqual(
      kindsAndNames(objects).filter((name) => !name.startsWith(UPDATE_RELEASE.kind)),
      [
        `${UPDATE_CHANNEL.kind}/alpha`,
        `${UPDATE_CHANNEL.kind}/beta`,
        `${UPDATE_CHANNEL.kind}/stable`,
        `${UPDATE_GROUP.kind}/stable`,
        `${UPDATE_GROUP.kind}/canary-pool`,
        `${UPDATE_GROUP.kind}/beta`,
      ],
    );
    const specs = objects
      .filter((object) => object.kind === UPDATE_GROUP.kind)
      .map((object) => (object as unknown as { spec: unknown }).spec);
    assert.deepEqual(specs, [
      { track: 'stable', channel: 'stable', policy: {} },
      { track: 'Canary.Pool', channel: 'stable', policy: {} },
      { track: 'beta', channel: 'beta', policy: {} },
    ]);
    for (const channel of objects.filter((object) => object.kind === UPDATE_CHANNEL.kind))
      assert.deepEqual((channel as unknown as { spec: unknown }).spec, {}, 'a channel’s release is the user’s');
  });

  it('on the local platform, publishes the release the nodes boot with its simulated payload and where it is served', () => {
    const config = renderConfig({ os: { name: 'flatcar', channel: 'stable', version: '4230.2.3' } });
    const { topology } = renderInput(config);
    const release = updateServerDefaults(config, topology)?.release;
    const payload = simulatedPayload('4230.2.3');
    const base = localPayloadBaseUrl(topology);
    assert.match(base, /^http:\/\/127\.0\.0\.\d+:30780\/flatcar\/$/);
    assert.deepEqual(release, {
      version: '4230.2.3',
      payloadUrl: `${base}4230.2.3/flatcar_production_update.gz`,
      sha256: payload.sha256,
      sha1: payload.sha1,
      size: payload.size,
      simulatedPayloads: base,
    });
    const [object] = updateServerDefaultObjects({ groups: [], ...(release === undefined ? {} : { release }) });
    assert.equal(object?.kind, UPDATE_RELEASE.kind);
    assert.equal(object?.metadata?.name, 'flatcar-4230.2.3');
    assert.deepEqual(object?.metadata?.annotations, { [SIMULATED_PAYLOADS_ANNOTATION]: base });
  });

  it('publishes no release where the payload is not known (other platforms), and nothing for Fedora CoreOS', () => {
    const bare = renderConfig({ platform: 'bare-metal', local: undefined });
    const onBareMetal = { ...renderInput(renderConfig()).topology, platform: 'bare-metal' as const };
    assert.equal(updateServerDefaults(bare, onBareMetal)?.release, undefined);
    assert.equal(
      updateServerDefaults(renderConfig({ os: { name: 'fedora-coreos', channel: 'stable' } }), onBareMetal),
      undefined,
    );
  });

  it('names groups and releases as Kubernetes objects, two tracks never sharing one name', () => {
    assert.deepEqual(
      [...updateGroupNames(['stable', 'Stable', 'canary_1', 'stable']).entries()],
      [
        ['stable', 'stable'],
        ['Stable', 'stable-2'],
        ['canary_1', 'canary-1'],
      ],
    );
    assert.equal(updateReleaseName('3340.0.0+nightly-20220823'), 'flatcar-3340.0.0-nightly-20220823');
  });

  it('is rendered after the server as 59-update-server-defaults.yaml, and bad defaults are refused naming the field', () => {
    const files = renderBootstrapManifests(
      manifestInputs({
        updateServer: {
          nodeName: 'test-cluster-controller-0',
          tls,
          defaults: { groups: [{ track: 'stable', channel: 'stable' }] },
        },
      }),
    );
    const names = files.map((file) => file.fileName);
    assert.ok(names.indexOf('59-update-server-defaults.yaml') > names.indexOf('58-update-server.yaml'));
    assert.throws(
      () =>
        renderBootstrapManifests(
          manifestInputs({
            updateServer: {
              nodeName: 'test-cluster-controller-0',
              tls,
              defaults: { groups: [{ track: 'has space', channel: 'stable' }] },
            },
          }),
        ),
      (error: unknown) =>
        error instanceof ManifestInputsError && error.message.includes('updateServer.defaults.groups.0.track'),
    );
  });
});
