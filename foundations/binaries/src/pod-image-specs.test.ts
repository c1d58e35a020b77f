import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import {
  COREDNS_IMAGE_REPOSITORY,
  COREDNS_IMAGE_TAG,
  COREDNS_PATH,
  COREDNS_USER,
  corednsImageSpec,
} from './coredns-image.ts';
import {
  FLANNEL_CNI_PLUGIN_IMAGE_REPOSITORY,
  FLANNEL_CNI_PLUGIN_IMAGE_TAG,
  FLANNEL_IMAGE_REPOSITORY,
  FLANNEL_IMAGE_TAG,
  flannelCniPluginImageSpec,
  flannelImageSpec,
} from './flannel-image.ts';
import { NETFILTER_TOOLS } from './host-binaries.ts';
import { KUBE_PROXY_IMAGE_REPOSITORY, KUBE_PROXY_IMAGE_TAG, kubeProxyImageSpec } from './kube-proxy-image.ts';
import { buildImage, fileCapabilityXattr, type ImageSpec, type OciImage } from './oci/image.ts';
import { pauseImageSpec } from './pause.ts';

/** An entry of the image's layer: its mode, and its target when it is a link. */
interface LayerEntry {
  readonly mode: number | undefined;
  readonly linkTo?: string;
}

/** Path, mode and link target of each entry of the image's layer. */
function layerEntries(image: OciImage): Record<string, LayerEntry> {
  const entries: Record<string, LayerEntry> = {};
  const parser = new Parser({
    onReadEntry: (entry: ReadEntry) => {
      entries[entry.path] = {
        mode: entry.mode,
        ...(entry.type === 'SymbolicLink' ? { linkTo: entry.linkpath } : {}),
      };
      entry.resume();
    },
  });
  parser.end(Buffer.from(image.layer.bytes));
  return entries;
}

const layerModes = (image: OciImage): Record<string, number | undefined> =>
  Object.fromEntries(Object.entries(layerEntries(image)).map(([path, entry]) => [path, entry.mode]));

/**
 * The pax records (`SCHILY.xattr.*`, …) of the extended header that precedes `path` in the layer, read from the
 * ustar blocks themselves: their bytes, as containerd's Go tar reader sees them.
 */
function paxRecordsOf(image: OciImage, path: string): Map<string, Buffer> {
  const tar = gunzipSync(image.layer.bytes);
  const text = (start: number, length: number): string =>
    tar
      .subarray(start, start + length)
      .toString('utf8')
      .replace(/\0.*$/s, '');
  let pending = new Map<string, Buffer>();
  for (let offset = 0; offset + 512 <= tar.byteLength && tar[offset] !== 0;) {
    const size = Number.parseInt(text(offset + 124, 12).trim() || '0', 8);
    const type = text(offset + 156, 1);
    const name = text(offset, 100);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      pending = new Map();
      for (let at = 0; at < body.byteLength;) {
        const space = body.indexOf(0x20, at);
        const length = Number(body.subarray(at, space).toString('utf8'));
        const record = body.subarray(space + 1, at + length - 1);
        const equals = record.indexOf(0x3d);
        pending.set(record.subarray(0, equals).toString('utf8'), Buffer.from(record.subarray(equals + 1)));
        at += length;
      }
      continue;
    }
    if (name === path) return pending;
    pending = new Map();
  }
  throw new Error(`${path} is not in the layer`);
}

const configOf = (image: OciImage): { config: Record<string, unknown> } =>
  JSON.parse(Buffer.from(image.config.bytes).toString('utf8')) as { config: Record<string, unknown> };

/** The spec's own files, built without the host programs it names (those are read from this machine: see below). */
const withoutHostExecutables = (spec: ImageSpec): ImageSpec => ({ ...spec, hostExecutables: [] });

const SBIN_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

describe('the pod images', () => {
  let dir: string;
  let binary: string;
  let busybox: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-pod-image-specs-'));
    // Stand-in binaries: the specs only place them.
    binary = join(dir, 'binary');
    await writeFile(binary, '\x7fELF stand-in');
    busybox = join(dir, 'busybox');
    await writeFile(busybox, '\x7fELF busybox stand-in');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('pause: /pause alone, its entrypoint, run as 65535:65535 as Kubernetes builds it', async () => {
    const image = await buildImage(pauseImageSpec(binary));
    assert.deepEqual(layerModes(image), { pause: 0o755 });
    assert.deepEqual(configOf(image).config, { User: '65535:65535', Entrypoint: ['/pause'] });
  });

  it('kube-proxy: the binary at /usr/local/bin/kube-proxy and the netfilter tools, under its upstream name', async () => {
    const spec = kubeProxyImageSpec(binary);
    assert.deepEqual(spec.hostExecutables, [NETFILTER_TOOLS]);
    const image = await buildImage(withoutHostExecutables(spec));
    assert.deepEqual(layerModes(image), {
      'usr/': 0o755,
      'usr/local/': 0o755,
      'usr/local/bin/': 0o755,
      'usr/local/bin/kube-proxy': 0o755,
    });
    assert.deepEqual(configOf(image).config, { Entrypoint: ['/usr/local/bin/kube-proxy'], Env: [SBIN_PATH] });
    // registry.k8s.io/kube-proxy:v1.36.3, as the rendered DaemonSet pins it, less the registry host.
    assert.equal(
      `registry.k8s.io/${KUBE_PROXY_IMAGE_REPOSITORY}:${KUBE_PROXY_IMAGE_TAG}`,
      'registry.k8s.io/kube-proxy:v1.36.3',
    );
  });

  it('flannel: /opt/bin/flanneld as the entrypoint, busybox cp for the init container, the netfilter tools', async () => {
    const spec = flannelImageSpec({ flanneld: binary, busybox });
    assert.deepEqual(spec.hostExecutables, [NETFILTER_TOOLS]);
    const image = await buildImage(withoutHostExecutables(spec));
    assert.deepEqual(layerEntries(image), {
      'bin/': { mode: 0o755 },
      'bin/busybox': { mode: 0o755 },
      'bin/cp': { mode: 0o777, linkTo: 'busybox' },
      'opt/': { mode: 0o755 },
      'opt/bin/': { mode: 0o755 },
      'opt/bin/flanneld': { mode: 0o755 },
    });
    // The init container's `cp` and the main container's iptables are both found on this PATH.
    assert.deepEqual(configOf(image).config, { Entrypoint: ['/opt/bin/flanneld'], Env: [SBIN_PATH] });
    assert.equal(`ghcr.io/${FLANNEL_IMAGE_REPOSITORY}:${FLANNEL_IMAGE_TAG}`, 'ghcr.io/flannel-io/flannel:v0.28.9');
  });

  it('the flannel CNI plugin: /flannel and a cp that installs it, under the upstream plugin image name', async () => {
    const image = await buildImage(flannelCniPluginImageSpec({ plugin: binary, busybox }));
    assert.deepEqual(layerEntries(image), {
      'bin/': { mode: 0o755 },
      'bin/busybox': { mode: 0o755 },
      'bin/cp': { mode: 0o777, linkTo: 'busybox' },
      flannel: { mode: 0o755 },
    });
    assert.deepEqual(configOf(image).config, {
      Env: ['PATH=/bin'],
      Cmd: ['cp', '-f', '/flannel', '/opt/cni/bin/flannel'],
    });
    assert.equal(
      `ghcr.io/${FLANNEL_CNI_PLUGIN_IMAGE_REPOSITORY}:${FLANNEL_CNI_PLUGIN_IMAGE_TAG}`,
      'ghcr.io/flannel-io/flannel-cni-plugin:v1.9.1-flannel3',
    );
  });

  it('CoreDNS: /coredns as the entrypoint, run as nonroot from /, with CAP_NET_BIND_SERVICE as a file capability', async () => {
    const image = await buildImage(corednsImageSpec(binary));
    assert.deepEqual(layerModes(image), { coredns: 0o755 });
    assert.deepEqual(configOf(image).config, { User: '65532:65532', Entrypoint: ['/coredns'], WorkingDir: '/' });
    assert.equal(COREDNS_PATH, '/coredns');
    assert.equal(COREDNS_USER, '65532:65532');
    // What `setcap cap_net_bind_service=+ep` writes: revision 2 with the effective flag, permitted bit 10.
    const capability = Buffer.from('0100000200040000000000000000000000000000', 'hex');
    assert.deepEqual(Buffer.from(fileCapabilityXattr(['CAP_NET_BIND_SERVICE'])), capability);
    assert.deepEqual(paxRecordsOf(image, 'coredns'), new Map([['SCHILY.xattr.security.capability', capability]]));
    assert.equal(
      `registry.k8s.io/${COREDNS_IMAGE_REPOSITORY}:${COREDNS_IMAGE_TAG}`,
      'registry.k8s.io/coredns/coredns:v1.14.2',
    );
  });

  it('the same capability gives the same layer; a file without one has no extended header', async () => {
    const first = await buildImage(corednsImageSpec(binary));
    const second = await buildImage(corednsImageSpec(binary));
    assert.equal(first.layer.digest, second.layer.digest);
    assert.deepEqual(paxRecordsOf(await buildImage(pauseImageSpec(binary)), 'pause'), new Map());
  });
});
