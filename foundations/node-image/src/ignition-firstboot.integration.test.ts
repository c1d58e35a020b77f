// Ignition in the node image's dracut initramfs (ADR 0084), booted for real under QEMU's TCG: a first boot
// (ignition.firstboot, Ignition's qemu platform) with a config handed over QEMU's fw_cfg. A check unit added to a copy
// of the root reports what Ignition left there: a file, a unit it enabled (which ran in the root and wrote to the
// serial console), the user core with an SSH key. The console shows Ignition's stages finishing in the initramfs,
// before the switch to the root; a config Ignition refuses stops the boot there, with Ignition's error on the console.
// The metal platform's path (the config from ignition.config.url= over HTTP, DHCP in the initramfs) is the machine
// lab's test, on the lab's network: e2e/src/lab/node-image-pxe.integration.test.ts.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { resolveBinary } from '@strata/binaries';
import { runCommand } from '@strata/host';
import { ensureNodeImage, NodeImageBootError, type NodeImage } from '@strata/node-image';
import {
  bootWithCheck,
  CHECK_PREFIX,
  ignitionConfig,
  sshEd25519PublicKey,
  type CheckedBoot,
} from '@strata/node-image/testing';

/** The plain boot's check ends in about 40 s idle; Ignition's stages add little, a loaded machine (CI) much more. */
const BOOT_TIMEOUT_MS = 300_000;
/** A cold build (mmdebstrap and dracut) takes a few minutes; the binaries come from npm test's binaries phase. */
const BUILD_TIMEOUT_MS = 900_000;
const FIRSTBOOT_ARGS = ['ignition.firstboot', 'ignition.platform.id=qemu'];
const UNIT = 'strata-ignition-hello.service';
const UNIT_MARKER = 'STRATA-IGNITION-UNIT';

const seconds = (ms: number | undefined): string => (ms === undefined ? 'never seen' : `${(ms / 1000).toFixed(1)} s`);

/** The pinned ignition-validate's verdict: a config it refuses would only show up as a failed boot, minutes later. */
async function validate(config: string): Promise<{ code: number | null; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-ignition-config-'));
  try {
    await writeFile(join(dir, 'config.ign'), config);
    const result = await runCommand(await resolveBinary('ignition-validate'), [join(dir, 'config.ign')]);
    return { code: result.code, output: `${result.stdout}${result.stderr}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What the check reports about Ignition's work, from the root after the switch. */
const CHECK_SCRIPT = `
say "hello $(cat /etc/strata/hello 2>&1)"
say "hello-mode $(stat -c %a /etc/strata/hello 2>&1)"
say "unit-enabled $(systemctl is-enabled ${UNIT} 2>&1)"
say "unit-active $(systemctl is-active ${UNIT} 2>&1)"
say "user $(getent passwd core)"
for keys in /home/core/.ssh/authorized_keys /home/core/.ssh/authorized_keys.d/ignition; do
  [ -f "$keys" ] && sed "s|^|${CHECK_PREFIX} ssh-key $keys |" "$keys"
done
say "ignition-result $(tr -d '\\n' </etc/.ignition-result.json 2>&1)"
`;

describe(
  "Ignition in the node image's initramfs, on a first boot",
  { timeout: BUILD_TIMEOUT_MS + BOOT_TIMEOUT_MS + 60_000 },
  () => {
    let image: NodeImage;
    let boot: CheckedBoot;
    const token = randomUUID();
    const sshKey = sshEd25519PublicKey(`strata-test-${token.slice(0, 8)}`);
    const config = ignitionConfig({
      files: [{ path: '/etc/strata/hello', contents: `hello ${token}\n`, mode: 0o640 }],
      units: [
        {
          name: UNIT,
          enabled: true,
          contents: [
            '[Unit]',
            'Description=Strata Ignition test unit',
            '[Service]',
            'Type=oneshot',
            'RemainAfterExit=yes',
            `ExecStart=/bin/sh -c 'echo "${UNIT_MARKER} $(cat /etc/strata/hello)" >/dev/ttyS0'`,
            '[Install]',
            'WantedBy=multi-user.target',
            '',
          ].join('\n'),
        },
      ],
      users: [{ name: 'core', sshAuthorizedKeys: [sshKey] }],
    });

    before(async () => {
      const validated = await validate(config);
      assert.equal(validated.code, 0, `ignition-validate refused the test's config:\n${validated.output}\n${config}`);
      const started = performance.now();
      image = await ensureNodeImage();
      process.stderr.write(
        `[node-image] image ${image.version} from the ${image.source} in ${((performance.now() - started) / 1000).toFixed(1)} s: ${image.dir}\n`,
      );
      boot = await bootWithCheck(image, {
        timeoutMs: BOOT_TIMEOUT_MS,
        kernelArgs: FIRSTBOOT_ARGS,
        ignitionConfig: config,
        checkScript: CHECK_SCRIPT,
      });
      const { marks } = boot;
      process.stderr.write(
        `[node-image] first boot: power-on → kernel ${seconds(marks.kernel)}, → initramfs ${seconds(marks.initramfs)}, ` +
          `→ Ignition (files) finished ${seconds(marks.ignitionFiles)}, → systemd of the root ${seconds(marks.systemd)}, ` +
          `→ multi-user.target ${seconds(marks.multiUser)}, → check done ${seconds(marks.checkEnd)}\n`,
      );
    });

    const value = (key: string): string | undefined =>
      boot.check.find((line) => line.startsWith(`${key} `))?.slice(key.length + 1);

    it("ran Ignition's stages in the initramfs, before the switch to the root", () => {
      const lines = boot.serialLog.split('\n');
      const at = (pattern: RegExp): number => lines.findIndex((line) => pattern.test(line));
      const initramfs = at(/Welcome to .*\(Initramfs\)/);
      const root = at(/Welcome to Strata node image/);
      assert.ok(initramfs >= 0 && root > initramfs, `no initramfs, then root, on the console:\n${boot.serialLog}`);
      for (const stage of ['fetch-offline', 'kargs', 'disks', 'mount', 'files']) {
        const finished = at(new RegExp(`Finished .*Ignition \\(${stage}\\)`));
        assert.ok(
          finished > initramfs && finished < root,
          `Ignition (${stage}) did not finish between the initramfs's start (line ${initramfs}) and the root's ` +
            `(line ${root}); it is at line ${finished}:\n${lines.filter((line) => /Ignition|Switch/.test(line)).join('\n')}`,
        );
      }
      // Ignition records its run in the root it provisioned.
      assert.match(value('ignition-result') ?? '', /"provisioningBootID"|"provisioningDate"/);
    });

    it('wrote the file with its content and mode', () => {
      assert.equal(value('hello'), `hello ${token}`);
      assert.equal(value('hello-mode'), '640');
    });

    it('enabled the unit, which then ran in the root and wrote to the console', () => {
      assert.equal(value('unit-enabled'), 'enabled');
      assert.equal(value('unit-active'), 'active');
      const lines = boot.serialLog.split('\n');
      const ran = lines.findIndex((line) => line.includes(`${UNIT_MARKER} hello ${token}`));
      const root = lines.findIndex((line) => /Welcome to Strata node image/.test(line));
      assert.ok(ran > root && root >= 0, `the unit's line is not on the console after the switch to the root (${ran})`);
    });

    it('created the user core with the SSH key', () => {
      assert.match(value('user') ?? '', /^core:x:\d+:\d+::\/home\/core:/);
      const keys = boot.check.filter((line) => line.startsWith('ssh-key '));
      assert.ok(
        keys.some((line) => line.endsWith(` ${sshKey}`)),
        `the key is not in core's authorized keys:\n${keys.join('\n') || '(no key file)'}`,
      );
    });
  },
);

describe('a first boot whose Ignition config Ignition refuses', () => {
  it("stops in the initramfs with Ignition's error on the console, and never reaches the root", async () => {
    const image = await ensureNodeImage();
    const config = ignitionConfig({ version: '9.9.9', files: [{ path: '/etc/strata/never', contents: 'never\n' }] });
    const error = await bootWithCheck(image, {
      timeoutMs: BOOT_TIMEOUT_MS,
      kernelArgs: FIRSTBOOT_ARGS,
      ignitionConfig: config,
      // systemd's verdict on the stage, and Ignition's own words, forwarded from the initramfs's journal to the
      // console (Strata's module asks for that).
      failWhen: [/Failed to start .*Ignition \(fetch-offline\)/, /ignition\[\d+\]: [^\n]*(version|unsupported)/i],
    }).then(
      () => assert.fail('a config with spec version 9.9.9 cannot have been applied'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof NodeImageBootError, String(error));
    assert.match(error.message, /the console showed "[^"\n]*Failed to start .*Ignition \(fetch-offline\)"/);
    const serial = String(error.context['serialLog']);
    assert.doesNotMatch(serial, /Welcome to Strata node image/);
    assert.doesNotMatch(serial, new RegExp(CHECK_PREFIX));
  });
});
