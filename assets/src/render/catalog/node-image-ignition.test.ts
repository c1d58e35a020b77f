// The render for Strata's node image (os.name strata), against the same cluster rendered for Flatcar: what differs is
// exactly the node image's own way of running containerd, the kubelet, etcd and updates; the rest is byte for byte.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PAUSE_VERSION } from '@strata/binaries';
import { decodeDataUrl } from '../../ignition/data-url.ts';
import { ignitionConfigSchema, type IgnitionConfig } from '../../ignition/schema.ts';
import { assertValidIgnition } from '../../ignition/validate.ts';
import { renderConfig } from '../../testing/fixtures.ts';
import { TEST_SYSEXT_SHA512 } from '../../testing/sysext-pin.ts';
import { ASSET_PATHS } from '../layout.ts';
import type { RenderConfig } from '../render-config.ts';
import { applyRenderPlan, planClusterRender } from '../render.ts';

const MIRROR_CA = '-----BEGIN CERTIFICATE-----\nMIIBmirror\n-----END CERTIFICATE-----\n';
const MIRRORS: NonNullable<RenderConfig['registryMirrors']> = [
  { registries: ['ghcr.io', 'registry.k8s.io'], endpoint: 'https://10.213.0.1:5443', caCertificate: MIRROR_CA },
  { registries: ['docker.io'], endpoint: 'https://hub-mirror.dc1.strata.test' },
];

function bareMetalCluster(overrides: Partial<RenderConfig>): RenderConfig {
  return renderConfig({
    name: 'img',
    platform: 'bare-metal',
    bareMetal: {
      machines: [
        { name: 'c1', mac: '52:54:00:5a:00:01', domain: 'c1.strata.test', role: 'controller' },
        { name: 'w1', mac: '52:54:00:5a:00:11', domain: 'w1.strata.test', role: 'worker', pool: 'general' },
      ],
    },
    workerPools: [{ name: 'general', count: 1, labels: {}, taints: [] }],
    sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHnHZ6wNnwMm4xZbIh2P7xKTGk9Tg1jqbHBe7f6bI0mO img@strata'],
    ...overrides,
  });
}

const filePaths = (config: IgnitionConfig) => (config.storage?.files ?? []).map((file) => file.path);

function text(config: IgnitionConfig, path: string): string | undefined {
  const source = config.storage?.files?.find((file) => file.path === path)?.contents?.source;
  if (source === undefined || source === null) return undefined;
  const decoded = decodeDataUrl(source);
  assert.ok(decoded.ok, `${path} is a data URL`);
  return Buffer.from(decoded.value.data).toString('utf8');
}

const unit = (config: IgnitionConfig, name: string) => config.systemd?.units?.find((each) => each.name === name);

describe('Ignition for Strata’s node image (os.name strata)', () => {
  let scratch: string;
  const rendered = new Map<string, IgnitionConfig>();

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'strata-node-image-ignition-'));
    const clusters: Record<string, RenderConfig> = {
      strata: bareMetalCluster({ os: { name: 'strata', channel: 'stable' }, registryMirrors: MIRRORS }),
      flatcar: bareMetalCluster({
        os: { name: 'flatcar', channel: 'stable' },
        kubernetesSysext: { sha512: TEST_SYSEXT_SHA512 },
      }),
      'flatcar-mirrored': bareMetalCluster({
        os: { name: 'flatcar', channel: 'stable' },
        kubernetesSysext: { sha512: TEST_SYSEXT_SHA512 },
        registryMirrors: MIRRORS,
      }),
    };
    for (const [key, config] of Object.entries(clusters)) {
      // One directory for all: the same keys, so that only the OS tells the renders apart.
      await applyRenderPlan(await planClusterRender({ config, dir: join(scratch, 'assets') }));
      for (const node of ['c1', 'w1']) {
        const json: unknown = JSON.parse(await readFile(join(scratch, 'assets', ASSET_PATHS.ignition(node)), 'utf8'));
        rendered.set(`${key}/${node}`, ignitionConfigSchema.parse(json));
      }
    }
  });

  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  const config = (key: string): IgnitionConfig => {
    const found = rendered.get(key);
    assert.ok(found !== undefined, `rendered ${key}`);
    return found;
  };

  it('is valid Ignition for every node', () => {
    for (const node of ['c1', 'w1']) assertValidIgnition(config(`strata/${node}`));
  });

  it("downloads no kubelet extension, masks no locksmithd, and keeps Flatcar's update.conf for the image's update_engine", () => {
    const strata = config('strata/w1');
    const flatcar = config('flatcar/w1');
    // The Flatcar render has the extension and locksmithd: otherwise this test proves nothing.
    assert.ok(filePaths(flatcar).some((path) => path.startsWith('/opt/extensions/')));
    assert.ok(unit(flatcar, 'locksmithd.service')?.mask);
    assert.ok(!filePaths(strata).some((path) => path.startsWith('/opt/extensions/')));
    assert.deepEqual(strata.storage?.links ?? [], []);
    assert.equal(unit(strata, 'locksmithd.service'), undefined);
    assert.equal(text(strata, '/etc/flatcar/update.conf'), text(flatcar, '/etc/flatcar/update.conf'));
    assert.match(
      text(strata, '/etc/flatcar/update.conf') ?? '',
      /^SERVER=https:\/\/c1\.strata\.test:30779\/v1\/update\/$/m,
    );
    assert.ok(text(strata, '/etc/ssl/certs/strata-cluster-ca.pem') !== undefined);
  });

  it("keeps the kubelet's unit, configuration, bootstrap kubeconfig, CA and users as the Flatcar render has them", () => {
    const strata = config('strata/w1');
    const flatcar = config('flatcar/w1');
    for (const path of [
      '/etc/kubernetes/kubelet.yaml',
      '/etc/kubernetes/bootstrap-kubelet.kubeconfig',
      '/etc/kubernetes/pki/ca.crt',
      '/etc/hostname',
    ]) {
      assert.ok(text(flatcar, path) !== undefined, `the render writes ${path}`);
      assert.equal(text(strata, path), text(flatcar, path), path);
    }
    assert.deepEqual(unit(strata, 'kubelet.service'), unit(flatcar, 'kubelet.service'));
    assert.deepEqual(strata.passwd, flatcar.passwd);
  });

  it("gives containerd 2 the image's configuration, Strata's pause as sandbox, and the mirrors", () => {
    const strata = config('strata/w1');
    assert.equal(
      text(strata, '/etc/containerd/config.toml'),
      [
        'version = 3',
        "imports = ['/usr/share/containerd/config.toml']",
        '',
        "[plugins.'io.containerd.cri.v1.images'.pinned_images]",
        `  sandbox = 'registry.k8s.io/pause:${PAUSE_VERSION}'`,
        '',
        "[plugins.'io.containerd.cri.v1.images'.registry]",
        "  config_path = '/etc/containerd/certs.d'",
        '',
      ].join('\n'),
    );
    assert.deepEqual(unit(strata, 'containerd.service')?.dropins, [
      {
        name: '10-strata-config.conf',
        contents: '[Service]\nExecStart=\nExecStart=/usr/bin/containerd --config /etc/containerd/config.toml\n',
      },
    ]);
    // The pod network's configuration is flannel's to write, once its DaemonSet runs on the node.
    assert.ok(!filePaths(strata).some((path) => path.startsWith('/etc/cni/net.d/')));
  });

  it('writes one hosts.toml per mirrored registry, with the mirror first and its own CA where the config gives one', () => {
    const strata = config('strata/w1');
    for (const registry of ['ghcr.io', 'registry.k8s.io']) {
      assert.equal(
        text(strata, `/etc/containerd/certs.d/${registry}/hosts.toml`),
        [
          `server = "https://${registry}"`,
          '',
          '[host."https://10.213.0.1:5443"]',
          '  capabilities = ["pull", "resolve"]',
          `  ca = "/etc/containerd/certs.d/${registry}/ca.crt"`,
          '',
        ].join('\n'),
      );
      assert.equal(text(strata, `/etc/containerd/certs.d/${registry}/ca.crt`), MIRROR_CA);
    }
    assert.equal(
      text(strata, '/etc/containerd/certs.d/docker.io/hosts.toml'),
      'server = "https://registry-1.docker.io"\n\n[host."https://hub-mirror.dc1.strata.test"]\n  capabilities = ["pull", "resolve"]\n',
    );
    assert.equal(text(strata, '/etc/containerd/certs.d/docker.io/ca.crt'), undefined);
  });

  it("points Flatcar's containerd at the same mirrors, and leaves its configuration as it was without them", () => {
    const plain = text(config('flatcar/w1'), '/etc/containerd/config.toml') ?? '';
    const mirrored = text(config('flatcar-mirrored/w1'), '/etc/containerd/config.toml') ?? '';
    assert.match(plain, /^version = 2$/m);
    assert.doesNotMatch(plain, /config_path/);
    assert.equal(
      mirrored,
      `${plain.trimEnd()}\n\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n`,
    );
    assert.equal(
      text(config('flatcar-mirrored/w1'), '/etc/containerd/certs.d/ghcr.io/hosts.toml'),
      text(config('strata/w1'), '/etc/containerd/certs.d/ghcr.io/hosts.toml'),
    );
    assert.ok(!filePaths(config('flatcar/w1')).some((path) => path.startsWith('/etc/containerd/certs.d/')));
  });

  it("runs a controller's etcd member from the image's etcd under systemd, with the rendered environment", () => {
    const strata = config('strata/c1');
    const flatcar = config('flatcar/c1');
    const etcd = unit(strata, 'etcd-member.service');
    assert.ok(etcd?.enabled);
    assert.match(etcd.contents ?? '', /^ExecStart=\/usr\/bin\/etcd$/m);
    assert.match(etcd.contents ?? '', /^EnvironmentFile=\/etc\/etcd\/etcd\.env$/m);
    assert.match(etcd.contents ?? '', /^Type=notify$/m);
    assert.doesNotMatch(etcd.contents ?? '', /docker/);
    assert.match(unit(flatcar, 'etcd-member.service')?.contents ?? '', /docker run/);
    assert.equal(text(strata, '/etc/etcd/etcd.env'), text(flatcar, '/etc/etcd/etcd.env'));
  });
});
