// What the read side served, by MAC, from real requests to a boot server over a
// data directory, listed by the write API over mutual TLS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BootApiClient } from '@strata/api/boot-client';
import { startWriteApi, type RunningWriteApi } from '../api/server.ts';
import { writeApiCredentials, type WriteApiCredentials } from '../api/testing/pki.ts';
import { rawHttps } from '../api/testing/raw-https.ts';
import { waitFor } from '@strata/harness';
import { aGroup, anIgnitionConfig, aProfile, macOf } from '../testing/builders.ts';
import { writeDataDir } from '../testing/data-dir.ts';
import { startTestBootServer, type TestBootServer } from '../testing/test-server.ts';
import { ServedMachines } from './served-machines.ts';

describe('ServedMachines', () => {
  const served = new ServedMachines();
  let boot: TestBootServer;
  let api: RunningWriteApi;
  let client: BootApiClient;
  let credentials: WriteApiCredentials;
  const known = macOf(1);
  const other = macOf(2);

  before(async () => {
    const profile = aProfile({ id: 'worker', ignition_id: 'worker.ign' });
    boot = await startTestBootServer({
      contents: {
        profiles: [profile],
        groups: [aGroup({ id: 'one', profile: 'worker', selector: { mac: known } })],
        ignition: { 'worker.ign': anIgnitionConfig() },
      },
      served,
    });
    credentials = await writeApiCredentials();
    api = await startWriteApi({ address: '127.0.0.1:0', store: boot.store, tls: credentials.serverTls, served });
    client = new BootApiClient(credentials.endpoint(api.url));
  });

  after(async () => {
    client?.close();
    await api?.close();
    await boot?.close();
  });

  it('lists nothing before any machine asked', async () => {
    assert.deepEqual(await client.listServed(), []);
  });

  it('records the boot script, then the Ignition config, of the MAC that fetched them (in any MAC form)', async () => {
    const dashed = known.replaceAll(':', '-').toUpperCase();
    assert.equal((await boot.get(`/ipxe?mac=${dashed}`)).status, 200);
    const [afterBoot] = await client.listServed();
    assert.equal(afterBoot?.mac, known);
    assert.ok(afterBoot?.bootScriptAt !== undefined);
    assert.equal(afterBoot.ignitionAt, undefined);

    assert.equal((await boot.get(`/ignition?mac=${known}`)).status, 200);
    const [afterIgnition] = await client.listServed();
    assert.ok(afterIgnition?.ignitionAt !== undefined);
    assert.ok(Date.parse(afterIgnition.ignitionAt) >= Date.parse(afterBoot.bootScriptAt));
  });

  it('records no answer that was not a 200, no MAC-less request and no other path', async () => {
    assert.equal((await boot.get(`/ipxe?mac=${other}`)).status, 404);
    assert.equal((await boot.get('/ipxe?uuid=1234')).status, 404);
    assert.equal((await boot.get(`/metadata?mac=${known}`)).status, 200);
    const before = await client.listServed();
    assert.deepEqual(
      before.map((machine) => machine.mac),
      [known],
    );
  });

  it('refuses anything but GET on the list', async () => {
    const refused = await rawHttps(api.url, {
      method: 'DELETE',
      path: '/v1/served',
      tls: { ca: credentials.caPem, cert: credentials.client.certificatePem, key: credentials.client.privateKeyPem },
    });
    assert.equal(refused.status, 405, refused.text);
  });

  it('keeps one entry per MAC across changes of the data directory, each answer recorded, kept or not', async () => {
    const before = await client.listServed();
    const knownBefore = before.find((machine) => machine.mac === known);
    assert.ok(knownBefore?.bootScriptAt !== undefined);
    // A new group for the other MAC and a changed profile: a new snapshot, whose answer cache starts empty.
    await writeDataDir(boot.dataPath, {
      profiles: [
        aProfile({ id: 'worker', ignition_id: 'worker.ign', boot: { kernel: '/changed', initrd: [], args: [] } }),
      ],
      groups: [aGroup({ id: 'two', profile: 'worker', selector: { mac: other } })],
    });
    await waitFor(
      'the changed profile to be served',
      async () => ((await boot.get(`/ipxe?mac=${known}`)).body.includes('/changed') ? true : undefined),
      5000,
    );
    // Asked twice each: once afresh in the new snapshot, once from its answer cache.
    for (let ask = 0; ask < 2; ask += 1) {
      assert.equal((await boot.get(`/ipxe?mac=${other}`)).status, 200);
      assert.equal((await boot.get(`/ipxe?mac=${known}`)).status, 200);
    }
    const after = await client.listServed();
    assert.deepEqual(
      after.map((machine) => machine.mac),
      [known, other],
    );
    const knownAfter = after.find((machine) => machine.mac === known);
    assert.ok(Date.parse(knownAfter?.bootScriptAt ?? '') >= Date.parse(knownBefore.bootScriptAt));
    assert.equal(knownAfter?.ignitionAt, knownBefore.ignitionAt);
    assert.equal(after.find((machine) => machine.mac === other)?.ignitionAt, undefined);
  });

  it('forgets the oldest MAC first beyond its bound', () => {
    const small = new ServedMachines({ max: 2 });
    const at = new Date('2026-12-04T12:00:00.000Z');
    small.answered('/ipxe', `mac=${macOf(10)}`, at);
    small.answered('/ipxe', `mac=${macOf(11)}`, at);
    small.answered('/ignition', `mac=${macOf(10)}`, at);
    small.answered('/ipxe', `mac=${macOf(12)}`, at);
    assert.deepEqual(
      small.list().map((machine) => machine.mac),
      [macOf(10), macOf(12)],
    );
    assert.deepEqual(small.list()[0], {
      mac: macOf(10),
      bootScriptAt: at.toISOString(),
      ignitionAt: at.toISOString(),
    });
  });
});

describe('ServedMachines records held by the answer cache', () => {
  const at = (second: number) => Date.parse('2026-12-04T12:00:00.000Z') + second * 1000;

  it('records a repeated answer in the record found for its query, the MAC in any form', () => {
    const served = new ServedMachines();
    const record = served.recordFor('/ipxe', `mac=${macOf(1).replaceAll(':', '-')}`);
    assert.ok(record !== undefined);
    // The same MAC's slot, whatever the path (the kind's field) and the form of the MAC.
    const ignition = served.recordFor('/ignition', `uuid=x&mac=${macOf(1).toUpperCase()}`);
    assert.equal(ignition?.mac, record.mac);
    assert.equal(ignition.generation, record.generation);
    assert.equal(Math.floor(ignition.field / 4), Math.floor(record.field / 4));
    assert.notEqual(ignition.field, record.field);
    assert.equal(served.recordFor('/metadata', `mac=${macOf(1)}`), undefined);
    assert.equal(served.recordFor('/ipxe', 'uuid=x'), undefined);
    // Found, not yet answered: not listed.
    assert.deepEqual(served.list(), []);
    served.answeredTo(record.field, record.generation, record.mac, at(1));
    served.answeredTo(ignition.field, ignition.generation, ignition.mac, at(2));
    assert.deepEqual(served.list(), [
      { mac: macOf(1), bootScriptAt: new Date(at(1)).toISOString(), ignitionAt: new Date(at(2)).toISOString() },
    ]);
  });

  it('makes a forgotten record again when its holder records into it', () => {
    const served = new ServedMachines({ max: 1 });
    const first = served.recordFor('/ipxe', `mac=${macOf(1)}`);
    assert.ok(first !== undefined);
    served.answeredTo(first.field, first.generation, first.mac, at(1));
    served.answered('/ipxe', `mac=${macOf(2)}`, new Date(at(2)));
    assert.deepEqual(
      served.list().map((machine) => machine.mac),
      [macOf(2)],
    );
    // The slot machine 1 held is machine 2's now: recording through machine 1's old record must not touch it.
    served.answeredTo(first.field, first.generation, first.mac, at(3));
    assert.deepEqual(served.list(), [{ mac: macOf(1), bootScriptAt: new Date(at(3)).toISOString() }]);
  });

  it('forgets the least recently served beyond the bound, a sixteenth of it at once, never more than that over', () => {
    const served = new ServedMachines({ max: 32 });
    for (let n = 0; n < 40; n += 1) {
      // Machine 0 is answered again each time, so it stays among the most recent.
      served.answered('/ipxe', `mac=${macOf(0)}`, new Date(at(n)));
      served.answered('/ipxe', `mac=${macOf(n + 1)}`, new Date(at(n)));
      assert.ok(served.list().length <= 32 + 2, `${served.list().length} held`);
    }
    const held = served.list().map((machine) => machine.mac);
    assert.ok(held.includes(macOf(0)));
    assert.ok(held.includes(macOf(40)));
    assert.ok(!held.includes(macOf(1)));
  });

  it('grows its table beyond the first slots and lists every MAC with its own times', () => {
    const served = new ServedMachines({ max: 1000 });
    for (let n = 0; n < 300; n += 1)
      served.answered(n % 2 === 0 ? '/ipxe' : '/ignition', `mac=${macOf(n)}`, new Date(at(n)));
    assert.ok(served.stats.slots >= 300 && served.stats.held === 300, JSON.stringify(served.stats));
    const listed = served.list();
    assert.equal(listed.length, 300);
    for (const machine of listed) {
      const n = Number.parseInt(machine.mac.replaceAll(':', '').slice(6), 16);
      const when = new Date(at(n)).toISOString();
      assert.deepEqual(
        machine,
        n % 2 === 0 ? { mac: macOf(n), bootScriptAt: when } : { mac: macOf(n), ignitionAt: when },
      );
    }
  });

  it('reuses forgotten slots for new MACs rather than growing, and their holders record under their own MAC', () => {
    const served = new ServedMachines({ max: 16 });
    const records = Array.from({ length: 16 }, (_, n) => served.answered('/ipxe', `mac=${macOf(n)}`, new Date(at(n))));
    // Past the bound and its slack (a sixteenth of 16: 1), the least recent are forgotten and their slots go to the
    // next MACs: never more slots than the bound, its slack and the one being taken.
    for (let n = 16; n < 20; n += 1) served.answered('/ignition', `mac=${macOf(n)}`, new Date(at(n)));
    const slots = served.stats.slots;
    assert.ok(slots <= 18, JSON.stringify(served.stats));
    for (let n = 20; n < 60; n += 1) served.answered('/ignition', `mac=${macOf(n)}`, new Date(at(n)));
    assert.equal(served.stats.slots, slots, 'no slot added past the bound');
    assert.ok(served.stats.held <= 17, JSON.stringify(served.stats));
    const before = served.list();
    assert.ok(!before.some((machine) => machine.mac === macOf(0)));
    const zero = records[0];
    assert.ok(zero !== undefined);
    served.answeredTo(zero.field, zero.generation, zero.mac, at(100));
    const after = served.list();
    assert.deepEqual(
      after.find((machine) => machine.mac === macOf(0)),
      { mac: macOf(0), bootScriptAt: new Date(at(100)).toISOString() },
    );
    // Everyone else still holds what they held (the ones forgotten to make room for machine 0 aside).
    for (const machine of after.filter((listed) => listed.mac !== macOf(0)))
      assert.deepEqual(
        machine,
        before.find((listed) => listed.mac === machine.mac),
      );
  });
});
