// A lab machine boots Strata's node image over the network, as the machine lab's machines will: real iPXE firmware
// gets its address from the lab's DHCP server and chains to Strata's boot server on the lab's host address, which
// serves the image's kernel and dracut initramfs with the metal platform's kernel arguments; in the initramfs, dracut
// brings the NIC up with DHCP and Ignition fetches the machine's config from the boot server's /ignition (selected by
// the machine's MAC), then writes a file, a unit and a user into the root before the switch. A check unit, added to
// the machine's copy of the root, reports from the booted system. A second machine, for which the boot server has no
// config, stops in the initramfs with Ignition's error on its console.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { IgnitionBuilder } from '@strata/assets';
import { ensureNodeImage, NodeImageBootError } from '@strata/node-image';
import { sshEd25519PublicKey } from '@strata/node-image/testing';
import { startNodeImageLab, type NodeImageLab } from './testing/node-image-lab.ts';

/** Firmware, iPXE, the kernel and initramfs over HTTP, Ignition, then the root: minutes under TCG on a busy host. */
const BOOT_TIMEOUT_MS = 360_000;
const BUILD_TIMEOUT_MS = 900_000;
const UNIT = 'strata-lab-hello.service';
const UNIT_MARKER = 'STRATA-LAB-UNIT';
const CONFIGURED = { mac: '52:54:00:1a:e2:01', hostname: 'node-a' };
const UNCONFIGURED = { mac: '52:54:00:1a:e2:02', hostname: 'node-b' };

const seconds = (ms: number | undefined): string => (ms === undefined ? 'never seen' : `${(ms / 1000).toFixed(1)} s`);

describe(
  'a lab machine boots the node image over PXE, with Ignition from the boot server',
  { timeout: BUILD_TIMEOUT_MS + 2 * BOOT_TIMEOUT_MS },
  () => {
    let lab: NodeImageLab;
    const token = randomUUID();

    before(async () => {
      const image = await ensureNodeImage();
      const ignition = new IgnitionBuilder()
        .file({ path: '/etc/strata/lab-hello', contents: `hello ${token}\n`, mode: 0o640 })
        .unit({
          name: UNIT,
          enabled: true,
          contents: [
            '[Unit]',
            'Description=A unit Ignition wrote and enabled',
            '[Service]',
            'Type=oneshot',
            'RemainAfterExit=yes',
            `ExecStart=/bin/sh -c 'echo ${UNIT_MARKER} ran >/dev/ttyS0'`,
            '[Install]',
            'WantedBy=multi-user.target',
            '',
          ].join('\n'),
        })
        .user({ name: 'core', sshAuthorizedKeys: [sshEd25519PublicKey('lab')] })
        .render();
      lab = await startNodeImageLab(image, [{ ...CONFIGURED, ignition }, UNCONFIGURED], { name: 'node-image-pxe' });
    });

    after(async () => {
      await lab?.close();
    });

    it('fetches its config from the boot server in the initramfs and boots into the root it configured', async (t) => {
      const result = await lab.boot(CONFIGURED.mac, {
        timeoutMs: BOOT_TIMEOUT_MS,
        signal: t.signal,
        checkScript: [
          'say "hello $(cat /etc/strata/lab-hello 2>&1)"',
          'say "hello-mode $(stat -c %a /etc/strata/lab-hello 2>&1)"',
          `say "unit $(systemctl is-enabled ${UNIT} 2>&1) $(systemctl is-active ${UNIT} 2>&1)"`,
          'say "user $(getent passwd core)"',
          'say "address $(ip -4 -o addr show scope global | tr -s " " | cut -d" " -f4)"',
        ].join('\n'),
      });
      const { marks } = result;
      t.diagnostic(
        `power-on → kernel ${seconds(marks.kernel)} → initramfs ${seconds(marks.initramfs)} → Ignition (files) ` +
          `${seconds(marks.ignitionFiles)} → root's systemd ${seconds(marks.systemd)} → multi-user ${seconds(marks.multiUser)} ` +
          `→ check ${seconds(marks.checkEnd)}`,
      );
      const value = (key: string) => result.check.find((line) => line.startsWith(`${key} `))?.slice(key.length + 1);
      assert.equal(value('hello'), `hello ${token}`, 'the file of the config the boot server serves for its MAC');
      assert.equal(value('hello-mode'), '640');
      assert.equal(value('unit'), 'enabled active');
      assert.match(result.serialLog, new RegExp(`${UNIT_MARKER} ran`));
      assert.match(value('user') ?? '', /^core:x:\d+:\d+:/);
      const nic = lab.nics.get(CONFIGURED.mac);
      assert.equal(value('address'), `${nic?.address ?? '?'}/24`, "the lab's fixed address for its MAC");
      assert.ok(
        marks.ignitionFiles !== undefined && marks.systemd !== undefined && marks.ignitionFiles < marks.systemd,
        "Ignition's files stage finished in the initramfs, before the root's systemd started",
      );
      const served = lab.answered();
      for (const path of ['/boot.ipxe', '/ipxe', '/assets/vmlinuz', '/assets/initrd.img', '/ignition'])
        assert.ok(served.includes(`200 ${path}`), `the boot server answered ${path}: ${served.join(', ')}`);
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
