import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { waitFor } from '@strata/harness';
import type { UpdateEngineStatus } from '@strata/api';
import { BOOT_ID_PATH, DbusOperatingSystem } from './dbus-operating-system.ts';
import { DbusCallError, MalformedSignalError } from './errors.ts';
import { FakeHostServices } from './testing/fake-host-services.ts';
import { startPrivateBus, type PrivateBus } from '@strata/update-engine/testing';

// A real dbus-daemon, update_engine and logind played over it with dbus-native,
// and a host root with the files a Flatcar machine has.

let bus: PrivateBus;
let host: FakeHostServices;
let root: string;
const BOOT_ID = '6f1c1e0a-6c55-4d0c-9d5e-2f1a3c2b9e11';

async function writeHostFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}

before(async () => {
  bus = await startPrivateBus();
  host = await FakeHostServices.start(bus.address);
  root = await mkdtemp(join(tmpdir(), 'strata-host-'));
  await writeHostFile(
    'etc/os-release',
    'ID=flatcar\nVERSION_ID=4230.2.3\nPRETTY_NAME="Flatcar Container Linux by Kinvolk 4230.2.3 (Oklo)"\n',
  );
  await writeHostFile('usr/share/flatcar/update.conf', 'GROUP=stable\n');
  await writeHostFile(BOOT_ID_PATH, `${BOOT_ID}\n`);
});

after(async () => {
  await host.stop();
  await bus.stop();
  await rm(root, { recursive: true, force: true });
});

const NEED_REBOOT: UpdateEngineStatus = {
  lastCheckedTime: 1_767_225_600,
  progress: 0,
  currentOperation: 'UPDATE_STATUS_UPDATED_NEED_REBOOT',
  newVersion: '4230.2.4',
  newSize: 314_572_800,
};

describe('DbusOperatingSystem over a real dbus-daemon', () => {
  it('reads the host: release, group and boot id', async () => {
    const os = await DbusOperatingSystem.connect({ busAddress: bus.address, root });
    try {
      assert.equal(os.release().id, 'flatcar');
      assert.equal(os.release().version, '4230.2.3');
      assert.equal(os.release().group, 'stable');
      assert.equal(os.bootId(), BOOT_ID);
      assert.equal(os.isUp(), true);
    } finally {
      await os.close();
    }
  });

  it("gets update_engine's status, calls AttemptUpdate and receives StatusUpdate signals", async () => {
    const problems: Error[] = [];
    const os = await DbusOperatingSystem.connect({
      busAddress: bus.address,
      root,
      onProblem: (error) => problems.push(error),
    });
    try {
      host.status = { ...NEED_REBOOT, currentOperation: 'UPDATE_STATUS_IDLE', newVersion: '', newSize: 0 };
      assert.deepEqual(await os.updateEngine.getStatus(), host.status);

      await os.updateEngine.attemptUpdate();
      assert.equal(host.attemptUpdateCalls, 1);

      const seen: UpdateEngineStatus[] = [];
      const unsubscribe = os.updateEngine.onStatusUpdate((status) => seen.push(status));
      host.publish({ ...NEED_REBOOT, currentOperation: 'UPDATE_STATUS_DOWNLOADING', progress: 0.5 });
      host.publishMalformed();
      host.publish(NEED_REBOOT);
      await waitFor('two StatusUpdate signals', () => (seen.length >= 2 ? true : undefined));
      assert.deepEqual(seen, [
        { ...NEED_REBOOT, currentOperation: 'UPDATE_STATUS_DOWNLOADING', progress: 0.5 },
        NEED_REBOOT,
      ]);
      assert.equal(problems.length, 1);
      assert.ok(problems[0] instanceof MalformedSignalError);

      unsubscribe();
      host.publish({ ...NEED_REBOOT, lastCheckedTime: NEED_REBOOT.lastCheckedTime + 1 });
      assert.deepEqual(await os.updateEngine.getStatus(), {
        ...NEED_REBOOT,
        lastCheckedTime: NEED_REBOOT.lastCheckedTime + 1,
      });
      assert.equal(seen.length, 2, 'no signal after unsubscribing');
    } finally {
      await os.close();
    }
  });

  it("reboots through logind's Reboot(false) and hears PrepareForShutdown", async () => {
    const os = await DbusOperatingSystem.connect({ busAddress: bus.address, root });
    try {
      let shutdowns = 0;
      os.onShutdown(() => {
        shutdowns += 1;
        return Promise.resolve();
      });
      await os.reboot();
      assert.deepEqual(host.rebootCalls, [false]);
      host.announceShutdown();
      await waitFor('the shutdown listener', () => (shutdowns === 1 ? true : undefined));
    } finally {
      await os.close();
    }
  });

  it('fails with a typed error naming the call when update_engine is not on the bus', async () => {
    const other = await startPrivateBus();
    const os = await DbusOperatingSystem.connect({ busAddress: other.address, root });
    try {
      await assert.rejects(os.updateEngine.getStatus(), (error: unknown) => {
        assert.ok(error instanceof DbusCallError);
        assert.match(error.message, /com\.coreos\.update1\.Manager\.GetStatus on com\.coreos\.update1 failed/);
        assert.equal(error.context['dbusName'], 'org.freedesktop.DBus.Error.ServiceUnknown');
        return true;
      });
    } finally {
      await os.close();
      await other.stop();
    }
  });

  it('tells of a bus connection that ends, and not of one it closes itself', async () => {
    const other = await startPrivateBus();
    const disconnects: Error[] = [];
    const os = await DbusOperatingSystem.connect({
      busAddress: other.address,
      root,
      onDisconnect: (error) => disconnects.push(error),
    });
    await other.stop();
    await waitFor('the disconnect', () => (disconnects.length > 0 ? true : undefined));
    assert.ok(disconnects[0] instanceof DbusCallError);
    await os.close();

    const closed: Error[] = [];
    const quiet = await DbusOperatingSystem.connect({
      busAddress: bus.address,
      root,
      onDisconnect: (error) => closed.push(error),
    });
    await quiet.close();
    assert.deepEqual(closed, []);
  });

  it('fails with a typed error when the bus is not there', async () => {
    await assert.rejects(
      DbusOperatingSystem.connect({ busAddress: `unix:path=${join(root, 'no-bus')}`, root }),
      DbusCallError,
    );
  });
});
