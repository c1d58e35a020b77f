import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidOsInputError } from './errors.ts';
import { FLATCAR, machine, UPDATE_SIZE } from './test-fixtures.ts';
import { DEFAULT_UPDATE_SIZE, ManualUpdateSource } from './update-source.ts';
import { compareVersions } from '@strata/update-engine';

describe('ManualUpdateSource', () => {
  it('offers nothing until told to', async () => {
    assert.equal(await new ManualUpdateSource().check(machine()), undefined);
  });

  it('offers an update to every group, with a default size', async () => {
    const source = new ManualUpdateSource();
    source.offer({ version: FLATCAR.next });
    for (const group of ['stable', 'beta', 'alpha']) {
      assert.deepEqual(await source.check(machine({ group })), { version: FLATCAR.next, size: DEFAULT_UPDATE_SIZE });
    }
  });

  it('offers an update to one group only, ahead of an offer to all', async () => {
    const source = new ManualUpdateSource();
    source.offer({ group: 'beta', version: FLATCAR.later, size: UPDATE_SIZE });
    assert.equal(await source.check(machine({ group: 'stable' })), undefined);
    assert.deepEqual(await source.check(machine({ group: 'beta' })), { version: FLATCAR.later, size: UPDATE_SIZE });

    source.offer({ version: FLATCAR.next, size: UPDATE_SIZE });
    assert.equal((await source.check(machine({ group: 'stable' })))?.version, FLATCAR.next);
    assert.equal((await source.check(machine({ group: 'beta' })))?.version, FLATCAR.later);
  });

  it('offers only versions newer than the running one', async () => {
    const source = new ManualUpdateSource();
    source.offer({ version: FLATCAR.next });
    assert.equal(await source.check(machine({ currentVersion: FLATCAR.next })), undefined);
    assert.equal(await source.check(machine({ currentVersion: FLATCAR.later })), undefined);
  });

  it('withdraws one group’s offer, falling back to the offer to all, or every offer', async () => {
    const source = new ManualUpdateSource();
    source.offer({ version: FLATCAR.next });
    source.offer({ group: 'beta', version: FLATCAR.later });
    source.withdraw('beta');
    assert.equal((await source.check(machine({ group: 'beta' })))?.version, FLATCAR.next);
    source.offer({ group: 'beta', version: FLATCAR.later });
    source.withdraw();
    assert.equal(await source.check(machine({ group: 'beta' })), undefined);
    assert.equal(await source.check(machine({ group: 'stable' })), undefined);
  });

  it('rejects offers that no update server would make', () => {
    const source = new ManualUpdateSource();
    assert.throws(() => source.offer({ version: 'latest' }), InvalidOsInputError);
    assert.throws(() => source.offer({ version: FLATCAR.next, size: -1 }), InvalidOsInputError);
    assert.throws(() => source.offer({ group: '', version: FLATCAR.next }), InvalidOsInputError);
  });
});

describe('compareVersions', () => {
  it('compares dotted versions part by part, numerically', () => {
    assert.ok(compareVersions('4230.2.10', '4230.2.9') > 0);
    assert.ok(compareVersions('3975.2.0', '4230.2.3') < 0);
    assert.equal(compareVersions('4230.2', '4230.2.0'), 0);
  });
});
