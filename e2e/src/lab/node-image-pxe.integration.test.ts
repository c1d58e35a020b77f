// A lab machine for which Strata's boot server has no Ignition config: it boots the node image over the network as
// every lab machine does (real iPXE firmware, the lab's DHCP, the boot server on the lab's host address, the image's
// kernel and dracut initramfs with the metal platform's kernel arguments), and Ignition's fetch in the initramfs gets
// the boot server's 404: the machine stops there, with Ignition's error on its console, and never reaches the root.
// A machine whose config is there boots into the root it configured, and joins a cluster: lab-cluster.lab.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureNodeImage, NodeImageBootError } from '@strata/node-image';
import { startNodeImageLab, type NodeImageLab } from './testing/node-image-lab.ts';

/** Firmware, iPXE, the kernel and initramfs over HTTP, Ignition, then the root: minutes under TCG on a busy host. */
const BOOT_TIMEOUT_MS = 360_000;
const BUILD_TIMEOUT_MS = 900_000;
const UNCONFIGURED = { mac: '52:54:00:1a:e2:02', hostname: 'node-b' };

describe(
  'a lab machine booting the node image over PXE, with no Ignition config on the boot server',
  { timeout: BUILD_TIMEOUT_MS + BOOT_TIMEOUT_MS },
  () => {
    let lab: NodeImageLab;

    before(async () => {
      const image = await ensureNodeImage();
      lab = await startNodeImageLab(image, [UNCONFIGURED], { name: 'node-image-pxe' });
    });

    after(async () => {
      await lab?.close();
    });

    it("stops in the initramfs when the boot server has no config for the machine, with Ignition's error on the console", async (t) => {
      const firstLine = lab.log.lines().length;
      await assert.rejects(
        lab.boot(UNCONFIGURED.mac, {
          timeoutMs: BOOT_TIMEOUT_MS,
          signal: t.signal,
          failWhen: [/Failed to start .*Ignition \(fetch\)/, /ignition\[\d+\]: [^\n]*not found/i],
        }),
        (error: unknown) => {
          assert.ok(error instanceof NodeImageBootError, String(error));
          assert.doesNotMatch(String(error.context['serialLog']), /Welcome to Strata node image/, 'never in the root');
          return true;
        },
      );
      const ignitionAnswers = lab.answered(firstLine).filter((line) => line.endsWith(' /ignition'));
      assert.ok(
        ignitionAnswers.length >= 1 && ignitionAnswers.every((line) => line.startsWith('404 ')),
        `the boot server answered ${ignitionAnswers.join(', ')}`,
      );
    });
  },
);
