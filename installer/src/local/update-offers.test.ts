import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UpdateEngineStatus } from '@strata/api';
import { ManualUpdateSource, SimulatedOperatingSystem } from '@strata/platform-local';
import {
  applyUpdateOffer,
  parseUpdateOffer,
  readUpdateOffer,
  UpdateOfferError,
  updateOfferPath,
  writeUpdateOffer,
} from './update-offers.ts';

const FAST = {
  checkMs: 1,
  downloadStepMs: 1,
  verifyMs: 1,
  finalizeMs: 1,
  errorReportMs: 1,
  firstCheckDelayMs: Infinity,
  checkIntervalMs: Infinity,
};

/** A simulated machine on Flatcar 4230.2.3 that asks `source` for updates. */
function aMachine(source: ManualUpdateSource): SimulatedOperatingSystem {
  return new SimulatedOperatingSystem({
    id: 'flatcar',
    version: '4230.2.3',
    updateSource: source,
    timings: FAST,
    rebootDelayMs: 1,
  });
}

function staged(os: SimulatedOperatingSystem): Promise<UpdateEngineStatus> {
  return new Promise((resolve) => {
    const stop = os.updateEngine.onStatusUpdate((status) => {
      if (status.currentOperation !== 'UPDATE_STATUS_UPDATED_NEED_REBOOT') return;
      stop();
      resolve(status);
    });
  });
}

describe('update offers for strata up', () => {
  it('validates the version and group, naming the field', () => {
    assert.deepEqual(parseUpdateOffer({ version: '4230.2.4' }, 'x'), { version: '4230.2.4' });
    assert.deepEqual(parseUpdateOffer({ version: '4230.2.4', group: 'beta' }, 'x'), {
      version: '4230.2.4',
      group: 'beta',
    });
    assert.throws(
      () => parseUpdateOffer({ version: 'latest' }, 'the update offer'),
      (error: unknown) =>
        error instanceof UpdateOfferError &&
        /the update offer is invalid: version: must be a Flatcar/.test(error.message),
    );
    assert.throws(
      () => parseUpdateOffer({ version: '1.2', group: 'no spaces' }, 'x'),
      (error: unknown) => error instanceof UpdateOfferError && /group: must be an update group/.test(error.message),
    );
    assert.throws(() => parseUpdateOffer({ version: '1.2', extra: true }, 'x'), UpdateOfferError);
  });

  it('hands the offer over through a file only its owner can read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-offer-'));
    try {
      await writeUpdateOffer(dir, { version: '4230.2.4', group: 'stable' });
      assert.equal((await stat(updateOfferPath(dir))).mode & 0o777, 0o600);
      assert.deepEqual(await readUpdateOffer(dir), { version: '4230.2.4', group: 'stable' });
      await writeFile(updateOfferPath(dir), '{"version": "four"}');
      await assert.rejects(
        readUpdateOffer(dir),
        (error: unknown) => error instanceof UpdateOfferError && error.message.includes(updateOfferPath(dir)),
      );
      await writeFile(updateOfferPath(dir), 'not json');
      await assert.rejects(readUpdateOffer(dir), /is not JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('offers the version and has every running machine check at once; a machine that is down checks later', async () => {
    const source = new ManualUpdateSource();
    const machines = new Map([
      ['node-a', aMachine(source)],
      ['node-b', aMachine(source)],
      ['node-c', aMachine(source)],
    ]);
    await machines.get('node-c')?.powerOff();
    const cluster = {
      updates: source,
      nodeNames: () => [...machines.keys()],
      operatingSystem: (name: string) => machines.get(name) ?? assert.fail(`no machine ${name}`),
    };
    const stagedA = staged(machines.get('node-a') ?? assert.fail());
    const stagedB = staged(machines.get('node-b') ?? assert.fail());

    const applied = await applyUpdateOffer(cluster, { version: '4230.2.4' });

    assert.deepEqual(applied, { checking: ['node-a', 'node-b'], down: ['node-c'] });
    assert.equal((await stagedA).newVersion, '4230.2.4');
    assert.equal((await stagedB).newVersion, '4230.2.4');
    for (const machine of machines.values()) await machine.powerOff();
  });
});
