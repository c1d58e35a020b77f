// Simulated machines as Omaha clients of a real update server (SQLite store,
// plain HTTP on a random loopback port), with a real payload served on
// loopback: check, download, verify, install, reboot, report; a corrupt
// payload; a new slot that fails to boot. Needs no shared address lock.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { waitFor } from '@strata/host';
import { ERROR_CODE } from '@strata/omaha';
import { aPayload, startPayloadServer, type PayloadServer } from '@strata/omaha/testing';
import {
  aCatalog,
  historySteps,
  openSqliteStore,
  startTestUpdateServer,
  type Release,
  type TestUpdateServer,
} from '@strata/update-server/testing';
import type { UpdateEngineStatus } from '@strata/api';
import { SimulatedOperatingSystem } from './simulated-os.ts';
import { FLATCAR, TEST_TIMINGS } from './test-fixtures.ts';
import { readUpdateConf, UPDATE_CONF_PATH, updateSettingsFrom } from '@strata/update-engine';
import { ManualUpdateSource } from './update-source.ts';

/** A release of `version` whose payload the payload server holds; `corrupt` serves other bytes than announced. */
function releaseOn(payloads: PayloadServer, version: string, options: { corrupt?: boolean } = {}): Release {
  const payload = aPayload(`Flatcar ${version} USR partition`);
  const path = `/flatcar/${version}/flatcar_production_update.gz`;
  payloads.serve(path, options.corrupt === true ? Buffer.from(`Flatcar ${version} USR partitioN`) : payload.bytes);
  return {
    version,
    payloadUrl: payloads.url(path),
    sha256: payload.sha256,
    sha1: payload.sha1,
    size: payload.bytes.length,
  };
}

/** A machine whose update.conf, in its own root, names the server and group, as Ignition writes it. */
async function machineOf(root: string, server: TestUpdateServer, index: number): Promise<SimulatedOperatingSystem> {
  const machineRoot = join(root, `machine-${index}`);
  const confPath = join(machineRoot, UPDATE_CONF_PATH);
  await mkdir(dirname(confPath), { recursive: true });
  await writeFile(confPath, `GROUP=stable\nSERVER=${server.url}\n`);
  const settings = updateSettingsFrom(await readUpdateConf(machineRoot), {
    source: new ManualUpdateSource(),
    group: 'beta',
  });
  return new SimulatedOperatingSystem({
    id: 'flatcar',
    version: FLATCAR.current,
    machineId: `${index}`.padStart(32, '0'),
    updateSource: settings.source,
    group: settings.group,
    rebootDelayMs: 10,
    timings: TEST_TIMINGS,
  });
}

/** Checks now and resolves with the engine's status once the check (and any download) has ended. */
async function checkUntil(os: SimulatedOperatingSystem, done: (status: UpdateEngineStatus) => boolean) {
  const seen: UpdateEngineStatus[] = [];
  const stop = os.updateEngine.onStatusUpdate((status) => seen.push(status));
  try {
    await os.updateEngine.attemptUpdate();
    return await waitFor('the update engine to finish', () => seen.find(done), 10_000);
  } finally {
    stop();
  }
}

const idle = (status: UpdateEngineStatus) => status.currentOperation === 'UPDATE_STATUS_IDLE';
const staged = (status: UpdateEngineStatus) => status.currentOperation === 'UPDATE_STATUS_UPDATED_NEED_REBOOT';

describe('the simulated OS as an Omaha client of the update server', () => {
  let root: string;
  let payloads: PayloadServer;
  let server: TestUpdateServer;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-omaha-client-'));
    payloads = await startPayloadServer();
    server = await startTestUpdateServer({
      store: openSqliteStore({ path: join(root, 'updates.db') }),
      catalog: aCatalog({ release: undefined }),
    });
  });

  after(async () => {
    await server.close();
    await payloads.close();
    await rm(root, { recursive: true, force: true });
  });

  it('checks in, downloads, verifies, installs and reboots; the history shows each machine in order', async () => {
    server.setCatalog(aCatalog({ release: releaseOn(payloads, FLATCAR.next) }));
    const machines = await Promise.all([1, 2, 3].map((index) => machineOf(root, server, index)));
    await Promise.all(machines.map((os) => checkUntil(os, staged)));
    await Promise.all(machines.map((os) => os.reboot()));
    for (const os of machines) assert.equal(os.release().version, FLATCAR.next);
    // The first check after the reboot carries previousversion: the update is complete.
    await Promise.all(machines.map((os) => checkUntil(os, idle)));
    for (const os of machines)
      assert.deepEqual(historySteps(await server.store.history(os.machineId)), [
        `granted ${FLATCAR.next}`,
        `downloading ${FLATCAR.next}`,
        `downloaded ${FLATCAR.next}`,
        `installed ${FLATCAR.next}`,
        `complete ${FLATCAR.next}`,
      ]);
  });

  it('fails a payload whose sha256 is wrong with error 10, reports it, and stays on its version', async () => {
    const later = '4230.3.0';
    server.setCatalog(aCatalog({ release: releaseOn(payloads, later, { corrupt: true }) }));
    const os = await machineOf(root, server, 4);
    await checkUntil(os, idle);
    assert.equal(os.updateEngine.lastFailure()?.errorCode, ERROR_CODE.payloadHashMismatch);
    assert.equal(os.updateEngine.stagedVersion(), undefined);
    await os.reboot();
    assert.equal(os.release().version, FLATCAR.current);
    assert.deepEqual(os.slots(), { active: 'A', A: FLATCAR.current, B: undefined });
    assert.deepEqual(historySteps(await server.store.history(os.machineId)), [
      `granted ${later}`,
      `downloading ${later}`,
      `error ${later} ${ERROR_CODE.payloadHashMismatch}`,
    ]);
  });

  it('reports a new slot that failed to boot as 44, and is never offered that release again', async () => {
    const release = releaseOn(payloads, '4230.4.0');
    server.setCatalog(aCatalog({ release }));
    const os = await machineOf(root, server, 5);
    os.faults.failNextNewSlotBoot();
    await checkUntil(os, staged);
    await os.reboot();
    assert.equal(os.release().version, FLATCAR.current, 'the bootloader fell back');
    assert.deepEqual(os.lastBootOutcome(), { kind: 'rolled-back', failedVersion: release.version });

    // The check after the fallback reports the rollback; each later one reaches the server, is held as
    // failed-before, and downloads nothing.
    let lastCheckAt = 0;
    for (let check = 0; check < 3; check += 1) {
      const status = await checkUntil(os, idle);
      assert.equal(status.newVersion, '', `check ${check} found no update`);
      const record = await server.store.machine(os.machineId);
      assert.equal(record?.holdReason, 'failed-before', `check ${check}`);
      assert.equal(record.lastErrorCode, ERROR_CODE.rollback);
      assert.ok(record.lastCheckAt.getTime() > lastCheckAt, `check ${check} reached the server`);
      lastCheckAt = record.lastCheckAt.getTime();
    }
    assert.deepEqual(historySteps(await server.store.history(os.machineId)), [
      `granted ${release.version}`,
      `downloading ${release.version}`,
      `downloaded ${release.version}`,
      `installed ${release.version}`,
      `error ${release.version} ${ERROR_CODE.rollback} rollback`,
    ]);
    assert.equal(os.release().version, FLATCAR.current);
  });
});
