// The bare-metal flow for Strata's node image (os.name strata): the install profile boots the release's kernel and
// initramfs with the install program's arguments, and the installed group serves the rendered config as for Flatcar.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { ClusterConfig } from '@strata/assets';
import { GroupIndex, labelsFromQuery } from '@strata/boot-server/testing';
import { INSTALL_ARGS } from '@strata/node-image';
import { aBareMetalConfig, refusal, renderedIgnitionOf } from './fixtures.ts';
import type { NodeImageRelease } from './node-image.ts';
import { planBareMetal, withheldFiles } from './plan-bare-metal.ts';
import type { BareMetalPlan } from './plan.ts';

const RELEASE: NodeImageRelease = { version: '0.8.0', installImageSha256: 'ab'.repeat(32) };
const ENDPOINT = 'http://boot.dc1.example.com:8080';

describe('the bare-metal flow for Strata’s node image', () => {
  let config: ClusterConfig;
  let ignition: ReadonlyMap<string, string>;
  let plan: BareMetalPlan;

  before(async () => {
    config = aBareMetalConfig({ endpoint: `${ENDPOINT}/`, os: { name: 'strata', channel: 'stable' } });
    ignition = await renderedIgnitionOf(config);
    plan = planBareMetal({ config, ignition, nodeImage: RELEASE, options: { installDisk: '/dev/vda' } });
  });

  const profile = (id: string) => {
    const found = plan.profiles.find((each) => each.id === id);
    assert.ok(found, `no profile ${id}`);
    return found;
  };

  it("boots the release's kernel and initramfs from the boot server's assets, with the install program's arguments", () => {
    const install = profile('rack1-node1-install');
    assert.equal(install.boot.kernel, '/assets/strata/0.8.0/vmlinuz');
    assert.deepEqual(install.boot.initrd, ['/assets/strata/0.8.0/initrd.img']);
    assert.deepEqual(install.boot.args, [
      'initrd=initrd.img',
      'rd.neednet=1',
      'ip=dhcp',
      `${INSTALL_ARGS.device}=/dev/vda`,
      `${INSTALL_ARGS.imageUrl}=${ENDPOINT}/assets/strata/0.8.0/disk.img.zst`,
      `${INSTALL_ARGS.imageSha256}=${RELEASE.installImageSha256}`,
      `${INSTALL_ARGS.ignitionUrl}=${ENDPOINT}/ignition?mac=\${mac:hexhyp}&os=installed`,
      'console=tty0',
      'console=ttyS0',
    ]);
    assert.match(install.name, /install Strata node image 0\.8\.0 to \/dev\/vda/);
    // The install boot fetches no config: nothing is registered for it.
    assert.equal(install.ignition_id, '');
    assert.deepEqual(
      plan.templates.map((template) => template.name),
      ['rack1-ctrl1-installed.ign', 'rack1-node1-installed.ign'],
    );
  });

  it('serves the installed first boot the rendered config, through the group its Ignition URL selects', () => {
    const index = GroupIndex.build(plan.groups);
    assert.deepEqual(index.unmatchable, []);
    assert.equal(index.match(labelsFromQuery('mac=52-54-00-2b-00-01').labels)?.id, 'rack1-node1-install');
    // What the installed first boot asks once iPXE has expanded ${mac:hexhyp} in the install boot's arguments.
    assert.equal(
      index.match(labelsFromQuery('mac=52-54-00-2b-00-01&os=installed').labels)?.id,
      'rack1-node1-installed',
    );
    assert.equal(
      plan.templates.find((template) => template.name === 'rack1-node1-installed.ign')?.content,
      ignition.get('node1'),
    );
    assert.equal(profile('rack1-node1-installed').ignition_id, 'rack1-node1-installed.ign');
  });

  it("withholds a controller's secrets from the boot server as for Flatcar, the same as withheldFiles finds", () => {
    assert.ok((plan.withheld.get('ctrl1') ?? []).length > 0);
    assert.equal(plan.withheld.get('node1'), undefined);
    // What `strata rotate` delivers again, without a release: the same files.
    assert.deepEqual(withheldFiles({ config, ignition }), plan.withheld);
  });

  describe('refuses, naming the field and the fix', () => {
    it('a strata config without the node image release', () => {
      assert.throws(() => planBareMetal({ config, ignition }), refusal(/os\.name is strata.*no node image release/));
    });

    it('a release that is not one', () => {
      assert.throws(
        () => planBareMetal({ config, ignition, nodeImage: { version: '0.8', installImageSha256: 'xyz' } }),
        refusal(/invalid node image release:[\s\S]*version[\s\S]*installImageSha256/),
      );
    });

    it('a pinned version this Strata does not build', () => {
      const pinned = aBareMetalConfig({ os: { name: 'strata', channel: 'stable', version: '0.7.0' } });
      assert.throws(
        () => planBareMetal({ config: pinned, ignition, nodeImage: RELEASE }),
        refusal(/os\.version is 0\.7\.0, but this Strata builds node image 0\.8\.0: set os\.version: 0\.8\.0/),
      );
    });
  });
});
