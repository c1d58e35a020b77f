// A real A/B update through Strata's update server: a lab machine boots Strata's node image from its own GPT disk
// under UEFI (OVMF, TCG) on the lab's private network; its update_engine (strata-update-engine, in the image) checks
// with the update server on the lab's host end over TLS (the CA in the machine's trust store, the server in its
// update.conf, as Ignition writes them on a provisioned machine), streams the offered /usr from a payload server
// into the passive slot, verifies and arms it; the machine reboots into it and the next check tells the server the
// update completed. A second release's /usr does not boot (its initramfs is no archive): its one try panics, the
// bootloader falls back, and update_engine reports the rollback (error 44), after which the server holds that
// release back from the machine. The reboots are the check script's (the update agent's part: it reboots when the
// update operator grants it), so the operator is not in this test.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { logTail } from '@strata/host';
import { LabNetwork, startLabMachine } from '@strata/lab';
import { ensureNodeImage, type NodeImage } from '@strata/node-image';
import {
  deriveUsrPayload,
  prepareCheckedDiskImage,
  watchCheckedBoot,
  type CheckedBoot,
} from '@strata/node-image/testing';
import { ERROR_CODE } from '@strata/omaha';
import { startPayloadServer, type PayloadServer } from '@strata/omaha/testing';
import { slotStatusSchema } from '@strata/update-engine';
import {
  aCatalog,
  historySteps,
  aServingCertificate,
  openSqliteStore,
  startTestUpdateServer,
  type Release,
  type TestUpdateServer,
} from '@strata/update-server/testing';
import { serveUsrRelease, updateThenRollbackHistory } from './testing/usr-release.ts';

/** Three boots with two downloads and installs of the 1 GiB /usr under TCG, and one boot that panics. */
const TEST_TIMEOUT_MS = 60 * 60_000;
const BOOTS_TIMEOUT_MS = 55 * 60_000;
const MAC = '52:54:00:1a:0b:01';

const seconds = (ms: number | undefined): string => (ms === undefined ? 'never seen' : `${(ms / 1000).toFixed(1)} s`);

/**
 * Each boot that reaches the check: counts itself, asks update_engine to check now (AttemptUpdate, as an
 * administrator or the periodic check would), follows its status over D-Bus until it staged an update, failed or
 * found none, and reboots when one is staged. `boot <n> <key> <value>` lines.
 */
const CHECK_SCRIPT = String.raw`
S=/var/lib/strata-update-lab
mkdir -p $S
n=$(( $(cat $S/boots 2>/dev/null || echo 0) + 1 ))
echo $n > $S/boots
sync
ue() { busctl call com.coreos.update1 /com/coreos/update1 com.coreos.update1.Manager "$@" 2>&1; }
say "boot $n version $(. /etc/os-release && echo $VERSION_ID)"
say "boot $n machine-id $(cat /etc/machine-id)"
say "boot $n slots $(strata-usr-update status --json 2>&1)"
i=0
while [ -z "$(ip -4 -o addr show scope global)" ] && [ $i -lt 120 ]; do sleep 1; i=$((i+1)); done
say "boot $n address $(ip -4 -o addr show scope global | awk '{print $4}' | tr '\n' ' ')"
say "boot $n engine $(systemctl is-active strata-update-engine.service)"
say "boot $n attempt $(ue AttemptUpdate)"
started=$(date +%s)
result=timeout
reported=0
while [ $(( $(date +%s) - started )) -lt 2400 ]; do
  s=$(ue GetStatus)
  case $s in
    *UPDATE_STATUS_UPDATED_NEED_REBOOT*) result=staged; break ;;
    *UPDATE_STATUS_REPORTING_ERROR_EVENT*) result=error; break ;;
    *UPDATE_STATUS_DOWNLOADING* | *UPDATE_STATUS_VERIFYING* | *UPDATE_STATUS_FINALIZING*)
      now=$(( $(date +%s) - started ))
      if [ $(( now - reported )) -ge 30 ]; then say "boot $n progress $now $s"; reported=$now; fi ;;
    'xdssx 0 '*) ;;
    *'"UPDATE_STATUS_IDLE"'*) result=idle; break ;;
  esac
  # A failed check or download passes through REPORTING_ERROR_EVENT for a second only: its log line stays.
  if journalctl -b -u strata-update-engine.service -o cat --no-pager | grep -q UPDATE_STATUS_REPORTING_ERROR_EVENT; then
    result=error; s=$(ue GetStatus); break
  fi
  sleep 2
done
say "boot $n $result seconds $(( $(date +%s) - started )) $s"
say "boot $n slots-after $(strata-usr-update status --json 2>&1)"
say "boot $n engine-log $(journalctl -b -u strata-update-engine.service -o cat --no-pager | tail -n 8 | tr '\n' ' ')"
if [ $result = staged ]; then
  sync
  systemctl reboot
  sleep 600
fi
`;

describe('a lab machine updated A/B through the update server, and rolled back', { timeout: TEST_TIMEOUT_MS }, () => {
  let image: NodeImage;
  let workDir: string;
  let network: LabNetwork | undefined;
  let server: TestUpdateServer | undefined;
  let payloads: PayloadServer | undefined;
  let good: Release;
  let broken: Release;
  let boot: CheckedBoot;
  let switchedAt: number | undefined;

  // Its own limit: a hook takes the runner's --test-timeout, not its suite's.
  before(
    async () => {
      image = await ensureNodeImage();
      workDir = await mkdtemp(join(tmpdir(), 'strata-update-lab-'));
      const goodUsr = await deriveUsrPayload(image, join(workDir, 'good-usr.ext4'), { version: `${image.version}.1` });
      const brokenUsr = await deriveUsrPayload(image, join(workDir, 'broken-usr.ext4'), {
        version: `${image.version}.2`,
        breakInitramfs: true,
      });
      network = await LabNetwork.create({ workDir, name: 'update-lab' });
      const nic = await network.addMachine({ mac: MAC, hostname: 'update-1' });
      // The machine boots from its disk: the boot file is never asked for.
      await network.startDhcp({ bootfileUrl: `http://${network.hostAddress}:9/none.ipxe` });
      payloads = await startPayloadServer(network.hostAddress);
      good = await serveUsrRelease(payloads, goodUsr);
      broken = await serveUsrRelease(payloads, brokenUsr);
      const tls = await aServingCertificate(network.hostAddress);
      server = await startTestUpdateServer({
        store: openSqliteStore({ path: join(workDir, 'updates.db') }),
        catalog: aCatalog({ release: good }),
        tls: { certPem: tls.certPem, keyPem: tls.keyPem },
        host: network.hostAddress,
      });
      const machineDir = join(workDir, 'machine');
      await mkdir(machineDir);
      const disk = await prepareCheckedDiskImage(image, machineDir, {
        checkScript: CHECK_SCRIPT,
        files: [
          { path: '/etc/flatcar/update.conf', content: `GROUP=stable\nSERVER=${server.url}\n` },
          { path: '/etc/ssl/certs/strata-update-lab-ca.pem', content: tls.caPem },
        ],
      });
      const startedAt = performance.now();
      const machine = await startLabMachine({
        network,
        nic,
        workDir: machineDir,
        disk,
        boot: 'disk',
        firmware: 'uefi',
        memoryMiB: 1536,
        removeWhenOrphaned: [machineDir],
      });
      // Once the first update is staged, the server offers the broken release instead, for the second boot's check.
      let exited = false;
      void machine.process.exited.then(() => (exited = true));
      const switcher = (async () => {
        while (!exited) {
          const serial = await readFile(machine.serialFile, 'utf8').catch(() => '');
          if (/boot 1 staged /.test(serial)) {
            server?.setCatalog(aCatalog({ release: broken }));
            switchedAt = performance.now() - startedAt;
            return;
          }
          await sleep(1_000);
        }
      })();
      try {
        boot = await watchCheckedBoot(machine.process, machine.serialFile, startedAt, {
          timeoutMs: BOOTS_TIMEOUT_MS,
          describe: async () =>
            `QEMU: ${machine.commandLine}\nQEMU log:\n${await logTail(machine.logFile, 20)}\n` +
            `The lab's DHCP server:\n${await logTail(network?.dhcpLogFile ?? '', 12)}`,
        });
      } finally {
        await machine.process.stop();
        exited = true;
        await switcher;
      }
      process.stderr.write(
        `[update-lab] ${seconds(boot.durationMs)} from power-on to the third checked boot's end; the offer switched ` +
          `at ${seconds(switchedAt)}; update_engine's cycles:\n` +
          `${boot.check.filter((line) => / (staged|idle|error|timeout) seconds /.test(line)).join('\n')}\n`,
      );
    },
    { timeout: TEST_TIMEOUT_MS },
  );

  after(async () => {
    await server?.close();
    await payloads?.close();
    await network?.close();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  const value = (bootNumber: number, key: string): string => {
    const prefix = `boot ${bootNumber} ${key} `;
    const line = boot.check.find((candidate) => candidate.startsWith(prefix));
    assert.ok(line !== undefined, `boot ${bootNumber} printed no ${key}:\n${boot.check.join('\n')}`);
    return line.slice(prefix.length);
  };
  const slots = (bootNumber: number, key = 'slots') => slotStatusSchema.parse(JSON.parse(value(bootNumber, key)));
  /** `busctl`'s GetStatus answer after the cycle: `xdssx <last checked> <progress> "<operation>" "<version>" <size>`. */
  const cycle = (bootNumber: number, result: string) => {
    const text = value(bootNumber, result);
    const match = /^seconds (\d+) xdssx (\d+) \S+ "([A-Z_]+)" "([^"]*)" (\d+)$/.exec(text);
    assert.ok(match !== null, `boot ${bootNumber}: ${result} ${text}`);
    return { seconds: Number(match[1]), lastChecked: Number(match[2]), operation: match[3], version: match[4] };
  };

  it('boots slot A from the disk, runs update_engine, and reaches the update server on the lab network', () => {
    assert.equal(value(1, 'version'), image.version);
    assert.equal(slots(1).booted, 'a');
    assert.equal(value(1, 'engine'), 'active');
    assert.match(value(1, 'address'), /^10\.\d+\.\d+\.\d+\/24 $/);
  });

  it('streams the offered /usr into slot B, verifies and arms it, and says so over D-Bus', () => {
    const staged = cycle(1, 'staged');
    assert.equal(staged.operation, 'UPDATE_STATUS_UPDATED_NEED_REBOOT');
    assert.equal(staged.version, good.version);
    assert.ok(staged.lastChecked > 0);
    const after = slots(1, 'slots-after');
    assert.deepEqual(after.slots.b, { state: 'pending', version: good.version });
    assert.deepEqual(after.slots.a.version, image.version);
  });

  it('reboots into slot B on the new version, whose first check reports the update complete', () => {
    assert.equal(value(2, 'version'), good.version);
    assert.equal(slots(2).booted, 'b');
    assert.equal(value(2, 'machine-id'), value(1, 'machine-id'));
  });

  it('stages the broken release into slot A; its one try panics and the machine comes back on slot B', () => {
    assert.equal(cycle(2, 'staged').version, broken.version);
    assert.match(boot.serialLog, /Initramfs unpacking failed|VFS: Unable to mount root fs/);
    assert.equal(value(3, 'version'), good.version);
    const third = slots(3);
    assert.equal(third.booted, 'b');
    assert.equal(third.rolledBackFrom, broken.version);
    assert.deepEqual(third.slots.a, { state: 'bad', version: broken.version });
  });

  it('reports the rollback (error 44); the server records every step and holds the broken release back', async () => {
    const idle = cycle(3, 'idle');
    assert.equal(idle.operation, 'UPDATE_STATUS_IDLE');
    assert.equal(idle.version, '', 'the release that failed to boot is not offered again');
    assert.ok(server !== undefined);
    const machineId = value(1, 'machine-id');
    assert.deepEqual(
      historySteps(await server.store.history(machineId)),
      updateThenRollbackHistory(good.version, broken.version),
    );
    const record = await server.store.machine(machineId);
    assert.equal(record?.holdReason, 'failed-before');
    assert.equal(record.lastErrorCode, ERROR_CODE.rollback);
  });
});
