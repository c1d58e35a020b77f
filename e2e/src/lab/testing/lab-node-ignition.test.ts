import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertValidIgnition, decodeDataUrl, ignitionConfigSchema, type IgnitionConfig } from '@strata/assets';
import { platformRenderDirectory, type PlatformRenderDirectory } from '@strata/assets/testing';
import { labClusterConfig } from './lab-cluster-config.ts';
import { labContainerdConfig, labRegistryHosts, nodeImageIgnition, type LabNodeRuntime } from './lab-node-ignition.ts';

const RUNTIME: LabNodeRuntime = {
  mirroredRegistries: ['registry.strata.test', 'ghcr.io', 'registry.k8s.io'],
  registryAddress: '10.213.0.1:5443',
  registryCa: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  sandboxImage: 'registry.strata.test/strata/pause:3.10.2',
};

const text = (config: IgnitionConfig, path: string): string | undefined => {
  const source = config.storage?.files?.find((file) => file.path === path)?.contents?.source;
  if (source === undefined || source === null) return undefined;
  const decoded = decodeDataUrl(source);
  assert.ok(decoded.ok, `${path} is a data URL`);
  return Buffer.from(decoded.value.data).toString('utf8');
};

describe('nodeImageIgnition', () => {
  let rendering: PlatformRenderDirectory;
  let rendered: IgnitionConfig;
  let result: IgnitionConfig;

  before(async () => {
    rendering = await platformRenderDirectory('lab-node-ignition');
    const input = await rendering.render(
      labClusterConfig({ name: 'c1', mac: '52:54:00:5a:00:01' }, [{ name: 'w1', mac: '52:54:00:5a:00:11' }]),
    );
    const worker = input.ignition.get('w1');
    assert.ok(worker !== undefined);
    rendered = ignitionConfigSchema.parse(JSON.parse(worker));
    result = ignitionConfigSchema.parse(JSON.parse(nodeImageIgnition(worker, RUNTIME)));
  });

  after(async () => rendering?.remove());

  it('is valid Ignition', () => {
    assertValidIgnition(result);
  });

  it("drops Flatcar's kubelet extension, containerd 1 configuration, update.conf and locksmithd", () => {
    const paths = (config: IgnitionConfig) => (config.storage?.files ?? []).map((file) => file.path);
    // The render has them: otherwise this test proves nothing.
    assert.ok(paths(rendered).some((path) => path.startsWith('/opt/extensions/')));
    assert.ok((rendered.storage?.links ?? []).some((link) => link.path.startsWith('/etc/extensions/')));
    assert.ok(paths(rendered).includes('/etc/flatcar/update.conf'));
    assert.match(text(rendered, '/etc/containerd/config.toml') ?? '', /^version = 2$/m);
    assert.ok(!paths(result).some((path) => path.startsWith('/opt/extensions/')));
    assert.deepEqual(result.storage?.links ?? [], []);
    assert.ok(!paths(result).includes('/etc/flatcar/update.conf'));
    assert.ok(!(result.systemd?.units ?? []).some((unit) => unit.name === 'locksmithd.service'));
  });

  it("keeps the kubelet's unit, configuration, bootstrap kubeconfig and CA as rendered", () => {
    for (const path of [
      '/etc/kubernetes/kubelet.yaml',
      '/etc/kubernetes/bootstrap-kubelet.kubeconfig',
      '/etc/kubernetes/pki/ca.crt',
      '/etc/hostname',
    ]) {
      assert.ok(text(rendered, path) !== undefined, `the render writes ${path}`);
      assert.equal(text(result, path), text(rendered, path), path);
    }
    const kubelet = (config: IgnitionConfig) => config.systemd?.units?.find((unit) => unit.name === 'kubelet.service');
    assert.deepEqual(kubelet(result), kubelet(rendered));
    assert.deepEqual(result.passwd, rendered.passwd);
  });

  it("gives containerd the image's configuration with the lab's sandbox image and registry mirrors", () => {
    assert.equal(text(result, '/etc/containerd/config.toml'), labContainerdConfig(RUNTIME));
    assert.match(labContainerdConfig(RUNTIME), /^imports = \['\/usr\/share\/containerd\/config\.toml'\]$/m);
    for (const registry of RUNTIME.mirroredRegistries) {
      const hosts = text(result, `/etc/containerd/certs.d/${registry}/hosts.toml`);
      assert.equal(hosts, labRegistryHosts(RUNTIME, registry));
      assert.match(hosts ?? '', new RegExp(`^server = "https://${registry.replaceAll('.', '\\.')}"$`, 'm'));
      assert.match(hosts ?? '', /^\[host\."https:\/\/10\.213\.0\.1:5443"\]$/m);
      assert.equal(text(result, `/etc/containerd/certs.d/${registry}/ca.crt`), RUNTIME.registryCa);
    }
    const containerd = result.systemd?.units?.find((unit) => unit.name === 'containerd.service');
    assert.deepEqual(containerd?.dropins, [
      {
        name: '10-strata-config.conf',
        contents: '[Service]\nExecStart=\nExecStart=/usr/bin/containerd --config /etc/containerd/config.toml\n',
      },
    ]);
    // The pod network's configuration is flannel's to write, once its DaemonSet runs on the node.
    assert.ok(!(result.storage?.files ?? []).some((file) => file.path.startsWith('/etc/cni/net.d/')));
  });

  it('refuses a config that is not Ignition, with what is wrong', () => {
    assert.throws(() => nodeImageIgnition('{"ignition":{}}', RUNTIME), /not one/);
  });
});
