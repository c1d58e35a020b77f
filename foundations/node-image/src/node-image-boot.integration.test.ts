// Strata's node image, built (or taken from the cache) and booted for real under QEMU's TCG: a direct kernel boot of
// its kernel and initramfs with its root file system, no network. A check unit added to a copy of the root proves
// from inside the guest that systemd reached multi-user.target, that containerd is active and answers on its socket,
// and that the pinned runc and kubelet run; the boot's times are measured from QEMU's start.
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { CONTAINERD_VERSION, ETCD_VERSION, KUBERNETES_VERSION, RUNC_VERSION } from '@strata/binaries';
import { ensureNodeImage, NodeImageBootError, STRATA_NODE_IMAGE_VERSION, type NodeImage } from '@strata/node-image';
import { bootDiskWithCheck, bootWithCheck, processesNaming, type CheckedBoot } from '@strata/node-image/testing';

/** The check ends about 40 s after power-on on an idle 2-core machine; a loaded one (CI) takes longer. */
const BOOT_TIMEOUT_MS = 240_000;
/** A cold build (mmdebstrap) takes about two minutes idle; the binaries come from npm test's binaries phase. */
const BUILD_TIMEOUT_MS = 900_000;

const seconds = (ms: number | undefined): string => (ms === undefined ? 'never seen' : `${(ms / 1000).toFixed(1)} s`);

describe("Strata's node image under QEMU", { timeout: BUILD_TIMEOUT_MS + BOOT_TIMEOUT_MS + 60_000 }, () => {
  let image: NodeImage;
  let boot: CheckedBoot;

  before(async () => {
    const started = performance.now();
    image = await ensureNodeImage();
    process.stderr.write(
      `[node-image] image ${image.version} from the ${image.source} in ${((performance.now() - started) / 1000).toFixed(1)} s: ${image.dir}\n`,
    );
    boot = await bootWithCheck(image, { timeoutMs: BOOT_TIMEOUT_MS, tbSizeMiB: 256, memoryMiB: 1024 });
    const { marks } = boot;
    process.stderr.write(
      `[node-image] power-on → kernel ${seconds(marks.kernel)}, → initramfs ${seconds(marks.initramfs)}, ` +
        `→ systemd of the root ${seconds(marks.systemd)}, ` +
        `→ multi-user.target ${seconds(marks.multiUser)}, → containerd started ${seconds(marks.containerd)}, ` +
        `→ check done ${seconds(marks.checkEnd)} (serial console, polled every 100 ms)\n` +
        `[node-image] QEMU's peak resident set: ${boot.qemuPeakBytes === undefined ? 'not read' : `${Math.round(boot.qemuPeakBytes / 2 ** 20)} MiB`} (-m 1024, tb-size=256)\n` +
        `[node-image] guest clock: ${boot.check.filter((line) => line.startsWith('active-enter-us ')).join('; ')}\n` +
        `[node-image] ${boot.check.filter((line) => line.startsWith('failed-units')).join('; ')}\n`,
    );
  });

  /** The check's value after `key `, e.g. `containerd active`. */
  const value = (key: string): string | undefined =>
    boot.check.find((line) => line.startsWith(`${key} `))?.slice(key.length + 1);

  it('boots through systemd to multi-user.target, as the serial console and the guest both say', () => {
    assert.ok(boot.marks.systemd !== undefined, 'systemd never announced itself on the console');
    assert.ok(
      boot.marks.multiUser !== undefined,
      `multi-user.target was never reached on the console; its systemd lines:\n${boot.serialLog
        .split('\n')
        .filter((line) => /Reached target|containerd|systemd\[1\]/.test(line))
        .slice(-40)
        .join('\n')}`,
    );
    const entered = Number(value('active-enter-us multi-user.target'));
    assert.ok(Number.isInteger(entered) && entered > 0, `multi-user.target not active: ${boot.check.join('\n')}`);
  });

  it('runs containerd, which answers on its socket with the pinned version', () => {
    assert.equal(value('containerd'), 'active');
    const entered = Number(value('active-enter-us containerd.service'));
    assert.ok(Number.isInteger(entered) && entered > 0, boot.check.join('\n'));
    // ctr version prints the client's and then the server's version; the server's proves the socket answers.
    const ctr = boot.check.filter((line) => line.startsWith('ctr: '));
    const serverAt = ctr.findIndex((line) => line.trim() === 'ctr: Server:');
    assert.ok(serverAt >= 0, `ctr reached no server:\n${ctr.join('\n')}`);
    assert.ok(
      ctr.slice(serverAt).some((line) => line.includes(`Version:`) && line.includes(CONTAINERD_VERSION)),
      ctr.join('\n'),
    );
  });

  it('runs update_engine, which answers GetStatus on the system bus: idle, never checked', () => {
    assert.equal(value('update-engine'), 'active', boot.check.join('\n'));
    assert.equal(value('update-engine-status:'), 'xdssx 0 0 "UPDATE_STATUS_IDLE" "" 0', boot.check.join('\n'));
  });

  it("answers polkit's authority on the system bus with the JavaScript rules backend, which the update agent's rule needs", () => {
    // logind asks polkit whether the update agent (not root) may reboot; the rule Ignition writes is JavaScript.
    assert.match(value('polkit-backend:') ?? '', /^s "js/, boot.check.join('\n'));
  });

  it('runs the pinned runc, kubelet and etcd from /usr/bin', () => {
    assert.ok(
      boot.check.includes(`runc: runc version ${RUNC_VERSION.replace(/^v/, '')}`),
      `runc said: ${boot.check.filter((line) => line.startsWith('runc: ')).join('\n')}`,
    );
    assert.equal(value('kubelet:'), `Kubernetes ${KUBERNETES_VERSION}`);
    // A controller's etcd-member.service runs it (ADR 0093).
    assert.ok(
      boot.check.includes(`etcd: etcd Version: ${ETCD_VERSION.replace(/^v/, '')}`),
      `etcd said: ${boot.check.filter((line) => line.startsWith('etcd: ')).join('\n')}`,
    );
  });

  it("boots through dracut's initramfs without Ignition when the command line does not ask for it", () => {
    assert.ok(boot.marks.initramfs !== undefined, "the initramfs's systemd never announced itself on the console");
    // Ignition's generator queues this target on every boot without ignition.firstboot: a positive sign it decided.
    assert.match(boot.serialLog, /Reached target .*Subsequent \(Not Ignition\) boot complete/);
    assert.doesNotMatch(boot.serialLog, /Ignition \((fetch-offline|files)\)/);
  });

  it('has no failed units (the ESP the image mounts on a disk boot is not waited for here)', () => {
    const failed = boot.check.find((line) => line.startsWith('failed-units'));
    assert.equal(failed?.slice('failed-units'.length).trim(), '', `failed units: ${failed ?? 'not reported'}`);
  });

  it("names Strata's node image and its version in os-release", () => {
    assert.equal(value('os-release'), `strata ${STRATA_NODE_IMAGE_VERSION}`);
  });
});

describe('a node image boot that does not finish', () => {
  // Direct (QEMU loads kernel and initramfs) and from the disk under OVMF: each leaves nothing behind when cut short.
  const cases = [
    {
      name: 'directly',
      boot: bootWithCheck,
      leaves: 'QEMU nor its files',
      workDirIn: /file:(\/\S+)\/serial\.log/,
    },
    {
      name: 'from its disk',
      boot: bootDiskWithCheck,
      leaves: 'QEMU, nor its disk copy, nor its firmware variables',
      workDirIn: /file=(\/\S+)\/OVMF_VARS\.fd/,
    },
  ] as const;
  for (const { name, boot, leaves, workDirIn } of cases) {
    it(`${name}: fails with the console, and leaves neither ${leaves} behind`, async () => {
      const image = await ensureNodeImage();
      const error = await boot(image, { timeoutMs: 3_000 }).then(
        () => assert.fail('a boot cut at 3 s cannot have finished its check'),
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof NodeImageBootError, String(error));
      assert.match(error.message, /still running after \d+ ms/);
      const workDir = workDirIn.exec(error.message)?.[1];
      assert.ok(workDir !== undefined, error.message);
      if (boot === bootDiskWithCheck) assert.doesNotMatch(error.message, / -kernel | -initrd | -append /);
      await assert.rejects(access(workDir), { code: 'ENOENT' });
      assert.deepEqual(await processesNaming(workDir), [], 'a process still names the boot directory');
    });
  }
});
