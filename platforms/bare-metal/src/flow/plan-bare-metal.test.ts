import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { assertValidIgnition, decodeDataUrl, validateClusterConfig, type ClusterConfig } from '@strata/assets';
import { labelsFromQuery } from '@strata/boot-server/testing';
import { GroupIndex } from '@strata/boot-server/testing';
import { aBareMetalConfig, refusal, renderedIgnitionOf, TEST_SSH_KEY } from './fixtures.ts';
import { installedIgnitionUrl } from './install-ignition.ts';
import { planBareMetal } from './plan-bare-metal.ts';
import type { BareMetalPlan } from './plan.ts';

function byId<T extends { id: string }>(items: readonly T[], id: string): T {
  const found = items.find((item) => item.id === id);
  assert.ok(found, `no item "${id}" among ${items.map((item) => item.id).join(', ')}`);
  return found;
}

function template(plan: BareMetalPlan, name: string): string {
  const found = plan.templates.find((entry) => entry.name === name);
  assert.ok(found, `no template "${name}"`);
  return found.content;
}

/** The text of a file in an Ignition config, decoded from its data URL. */
function ignitionFile(content: string, path: string): string {
  const config = assertValidIgnition(JSON.parse(content));
  const file = config.storage?.files?.find((entry) => entry.path === path);
  assert.ok(file?.contents?.source, `no file ${path} in the config`);
  const decoded = decodeDataUrl(file.contents.source);
  assert.ok(decoded.ok, `undecodable data URL for ${path}`);
  return new TextDecoder().decode(decoded.value.data);
}

async function planFor(
  config: ClusterConfig,
  options?: Parameters<typeof planBareMetal>[0]['options'],
): Promise<BareMetalPlan> {
  return planBareMetal({
    config,
    ignition: await renderedIgnitionOf(config),
    ...(options === undefined ? {} : { options }),
  });
}

describe('the bare-metal flow', () => {
  let config: ClusterConfig;
  let ignition: ReadonlyMap<string, string>;
  let plan: BareMetalPlan;

  before(async () => {
    config = aBareMetalConfig({ endpoint: 'http://matchbox.dc1.example.com:8080/' });
    ignition = await renderedIgnitionOf(config);
    plan = planBareMetal({ config, ignition });
  });

  it('registers an install and an installed profile, group and Ignition config per machine', () => {
    assert.deepEqual(
      plan.profiles.map((profile) => profile.id),
      ['rack1-ctrl1-install', 'rack1-ctrl1-installed', 'rack1-node1-install', 'rack1-node1-installed'],
    );
    assert.deepEqual(
      plan.groups.map((group) => group.id),
      plan.profiles.map((profile) => profile.id),
    );
    assert.deepEqual(
      plan.templates.map((entry) => entry.name),
      plan.profiles.map((profile) => `${profile.id}.ign`),
    );
    for (const profile of plan.profiles)
      assert.ok(
        plan.templates.some((entry) => entry.name === profile.ignition_id),
        profile.id,
      );
    for (const group of plan.groups)
      assert.ok(
        plan.profiles.some((profile) => profile.id === group.profile),
        group.id,
      );
  });

  it('PXE-boots Flatcar from the boot server assets with the Ignition URL iPXE fills in', () => {
    const profile = byId(plan.profiles, 'rack1-ctrl1-install');
    assert.equal(profile.boot.kernel, '/assets/flatcar/4230.2.3/flatcar_production_pxe.vmlinuz');
    assert.deepEqual(profile.boot.initrd, ['/assets/flatcar/4230.2.3/flatcar_production_pxe_image.cpio.gz']);
    assert.deepEqual(profile.boot.args, [
      'initrd=flatcar_production_pxe_image.cpio.gz',
      // The configured endpoint had a trailing slash; the URL must not get "//ignition".
      'flatcar.config.url=http://matchbox.dc1.example.com:8080/ignition?uuid=${uuid}&mac=${mac:hexhyp}',
      'flatcar.first_boot=1',
      'console=tty0',
      'console=ttyS0',
    ]);
    assert.equal(profile.ignition_id, 'rack1-ctrl1-install.ign');
  });

  it('selects each machine by its normalized MAC, and its installed system by MAC and os=installed', () => {
    assert.deepEqual(byId(plan.groups, 'rack1-ctrl1-install').selector, { mac: '52:54:00:1a:00:01' });
    assert.deepEqual(byId(plan.groups, 'rack1-ctrl1-installed').selector, {
      mac: '52:54:00:1a:00:01',
      os: 'installed',
    });
    assert.deepEqual(byId(plan.groups, 'rack1-node1-install').metadata, {
      cluster: 'rack1',
      machine: 'node1',
      domain: 'node1.dc1.example.com',
      role: 'worker',
      pool: 'general',
    });
  });

  it('makes the boot server answer the PXE boot and the installer with the right groups', () => {
    const index = GroupIndex.build(plan.groups);
    assert.deepEqual(index.unmatchable, []);
    // What iPXE asks (hexhyp MAC), then what the installer asks.
    assert.equal(index.match(labelsFromQuery('uuid=1234&mac=52-54-00-2b-00-01').labels)?.id, 'rack1-node1-install');
    const installerQuery = new URL(
      installedIgnitionUrl('http://matchbox.dc1.example.com:8080', '52:54:00:2b:00:01'),
    ).search.slice(1);
    assert.equal(index.match(labelsFromQuery(installerQuery).labels)?.id, 'rack1-node1-installed');
    assert.equal(index.match(labelsFromQuery('mac=52-54-00-99-99-99').labels), undefined);
  });

  it("serves a worker's installed system exactly the Ignition config the assets rendered, its own join token included", () => {
    assert.equal(template(plan, 'rack1-node1-installed.ign'), ignition.get('node1'));
    assert.equal(plan.withheld.get('node1'), undefined);
    // A worker that cannot fetch its token cannot join; the token joins only this worker, expires, and is deleted.
    assert.match(
      ignitionFile(template(plan, 'rack1-node1-installed.ign'), '/etc/kubernetes/bootstrap-kubelet.kubeconfig'),
      /token: /,
    );
  });

  it("withholds a controller's private keys and credentials from the boot server, for delivery over SSH", () => {
    const filesOf = (json: string | undefined) =>
      (
        JSON.parse(json ?? '{}') as {
          storage: { files: { path: string; mode: number; contents: { source: string } }[] };
        }
      ).storage.files;
    const rendered = filesOf(ignition.get('ctrl1'));
    const served = filesOf(template(plan, 'rack1-ctrl1-installed.ign'));
    const withheld = plan.withheld.get('ctrl1') ?? [];
    for (const secret of [
      '/etc/kubernetes/pki/ca.key',
      '/etc/kubernetes/pki/service-account.key',
      '/etc/kubernetes/pki/encryption-config.yaml',
      '/etc/ssl/etcd/server.key',
      '/etc/kubernetes/controller-manager.kubeconfig',
      '/etc/kubernetes/join-approver.kubeconfig',
      // Its bootstrap token would join a controller: it goes over SSH, never to the boot server.
      '/etc/kubernetes/bootstrap-kubelet.kubeconfig',
    ]) {
      assert.ok(!served.some((file) => file.path === secret), `${secret} is served`);
      assert.ok(
        withheld.some((file) => file.path === secret),
        `${secret} is not handed to the installer`,
      );
    }
    assert.ok(!served.some((file) => file.contents.source.includes('PRIVATE%20KEY')), 'a private key is still served');
    // Nothing is lost: served and withheld together are the rendered config.
    assert.deepEqual(
      [...served.map((file) => file.path), ...withheld.map((file) => file.path)].sort(),
      rendered.map((file) => file.path).sort(),
    );
    assert.deepEqual(byId(plan.profiles, 'rack1-node1-installed').boot, { kernel: '', initrd: [], args: [] });
  });

  it('installs to disk with flatcar-install, from the boot server, with the installed config', () => {
    const content = template(plan, 'rack1-node1-install.ign');
    const config = assertValidIgnition(JSON.parse(content));
    assert.deepEqual(config.passwd?.users?.[0], { name: 'core', sshAuthorizedKeys: [TEST_SSH_KEY] });
    const unit = config.systemd?.units?.find((entry) => entry.name === 'strata-install.service');
    assert.equal(unit?.enabled, true);
    assert.match(unit?.contents ?? '', /ExecStart=\/opt\/strata\/install/);
    const script = ignitionFile(content, '/opt/strata/install');
    assert.match(
      script,
      /curl .* 'http:\/\/matchbox\.dc1\.example\.com:8080\/ignition\?mac=52%3A54%3A00%3A2b%3A00%3A01&os=installed'/,
    );
    assert.match(
      script,
      /flatcar-install -d '\/dev\/sda' -C 'stable' -V '4230\.2\.3' -b 'http:\/\/matchbox\.dc1\.example\.com:8080\/assets\/flatcar' -i \/run\/strata\/installed\.ign/,
    );
    assert.match(script, /systemctl reboot/);
  });

  it('is pure: the same input gives the same plan', () => {
    assert.deepEqual(planBareMetal({ config, ignition }), plan);
  });

  it('follows the channel ("current") when the config pins no Flatcar version', async () => {
    const unpinned = await planFor(aBareMetalConfig({ os: { name: 'flatcar', channel: 'beta' } }));
    assert.equal(
      byId(unpinned.profiles, 'rack1-ctrl1-install').boot.kernel,
      '/assets/flatcar/current/flatcar_production_pxe.vmlinuz',
    );
    assert.match(
      ignitionFile(template(unpinned, 'rack1-ctrl1-install.ign'), '/opt/strata/install'),
      /-C 'beta' -V 'current'/,
    );
  });

  it('takes the install disk, consoles and extra kernel arguments from its options', () => {
    const custom = planBareMetal({
      config,
      ignition,
      options: {
        installDisk: '/dev/disk/by-path/pci-0000:00:1f.2-ata-1',
        consoles: ['ttyS1,115200n8'],
        extraKernelArgs: ['flatcar.autologin'],
      },
    });
    const args = byId(custom.profiles, 'rack1-ctrl1-install').boot.args;
    assert.deepEqual(args.slice(3), ['console=ttyS1,115200n8', 'flatcar.autologin']);
    assert.match(
      ignitionFile(template(custom, 'rack1-ctrl1-install.ign'), '/opt/strata/install'),
      /-d '\/dev\/disk\/by-path\/pci-0000:00:1f\.2-ata-1'/,
    );
  });

  describe('refuses, naming the field and the fix', () => {
    it('a config of another platform', () => {
      const local = validateClusterConfig({
        apiVersion: 'strata.dev/v1alpha1',
        kind: 'Cluster',
        name: 'demo',
        baseDomain: 'example.com',
        platform: 'local',
      });
      assert.ok(local.ok);
      assert.throws(
        () => planBareMetal({ config: local.config, ignition: new Map() }),
        refusal(/platform is "local"; the bare-metal flow needs platform: bare-metal/),
      );
    });

    it('an OS other than Flatcar', () => {
      const fcos = aBareMetalConfig({ os: { name: 'fedora-coreos', channel: 'stable' } });
      assert.throws(
        () => planBareMetal({ config: fcos, ignition }),
        refusal(/os\.name is "fedora-coreos".*set os\.name: flatcar or strata/),
      );
    });

    it('a machine without rendered Ignition', () => {
      const partial = new Map(ignition);
      partial.delete('node1');
      assert.throws(
        () => planBareMetal({ config, ignition: partial }),
        refusal(/no rendered Ignition config for machine "node1".*strata render.*ignition\/node1\.ign/),
      );
    });

    it('rendered Ignition that is not JSON or not Ignition', () => {
      assert.throws(
        () => planBareMetal({ config, ignition: new Map([...ignition, ['node1', '{"ignition": ']]) }),
        refusal(/machine "node1" is not JSON/),
      );
      assert.throws(
        () =>
          planBareMetal({ config, ignition: new Map([...ignition, ['node1', '{"ignition":{"version":"9.9.9"}}']]) }),
        refusal(/the rendered Ignition config of machine "node1" is invalid:\n\s+ignition\.version/),
      );
    });

    it('rendered Ignition of machines the config does not list', () => {
      assert.throws(
        () => planBareMetal({ config, ignition: new Map([...ignition, ['ghost', '{}']]) }),
        refusal(/machines the cluster config does not list: ghost/),
      );
    });

    it('options that would break the kernel command line or name no device', () => {
      assert.throws(
        () => planBareMetal({ config, ignition, options: { installDisk: 'sda' } }),
        refusal(/installDisk: must be a device path/),
      );
      assert.throws(
        () => planBareMetal({ config, ignition, options: { extraKernelArgs: ['a b'] } }),
        refusal(/extraKernelArgs\.0: must not contain whitespace/),
      );
    });
  });
});
