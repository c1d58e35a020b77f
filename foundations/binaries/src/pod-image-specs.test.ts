import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Parser, type ReadEntry } from 'tar';
import { KUBE_PROXY_IMAGE_TAG, kubeProxyImageSpec } from './kube-proxy-image.ts';
import { buildImage, type OciImage } from './oci/image.ts';
import { pauseImageSpec } from './pause.ts';

/** Path and mode of each entry of the image's layer. */
function layerModes(image: OciImage): Record<string, number | undefined> {
  const modes: Record<string, number | undefined> = {};
  const parser = new Parser({
    onReadEntry: (entry: ReadEntry) => {
      modes[entry.path] = entry.mode;
      entry.resume();
    },
  });
  parser.end(Buffer.from(image.layer.bytes));
  return modes;
}

const configOf = (image: OciImage): { config: Record<string, unknown> } =>
  JSON.parse(Buffer.from(image.config.bytes).toString('utf8')) as { config: Record<string, unknown> };

describe('the pod images', () => {
  let dir: string;
  let binary: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-pod-image-specs-'));
    // A stand-in binary: the specs only place it.
    binary = join(dir, 'binary');
    await writeFile(binary, '\x7fELF stand-in');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('pause: /pause alone, its entrypoint, run as 65535:65535 as Kubernetes builds it', async () => {
    const image = await buildImage(pauseImageSpec(binary));
    assert.deepEqual(layerModes(image), { pause: 0o755 });
    assert.deepEqual(configOf(image).config, { User: '65535:65535', Entrypoint: ['/pause'] });
  });

  it('kube-proxy: the binary at /usr/local/bin/kube-proxy, tagged with the Kubernetes release', async () => {
    const image = await buildImage(kubeProxyImageSpec(binary));
    assert.deepEqual(layerModes(image), {
      'usr/': 0o755,
      'usr/local/': 0o755,
      'usr/local/bin/': 0o755,
      'usr/local/bin/kube-proxy': 0o755,
    });
    assert.deepEqual(configOf(image).config['Entrypoint'], ['/usr/local/bin/kube-proxy']);
    assert.equal(KUBE_PROXY_IMAGE_TAG, 'v1.36.3');
  });
});
