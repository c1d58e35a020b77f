// What the read side served, by MAC, from real requests to a boot server over a
// data directory, listed by the write API over mutual TLS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BootApiClient } from '@strata/api/boot-client';
import { startWriteApi, type RunningWriteApi } from '../api/server.ts';
import { writeApiCredentials, type WriteApiCredentials } from '../api/testing/pki.ts';
import { rawHttps } from '../api/testing/raw-https.ts';
import { aGroup, anIgnitionConfig, aProfile, macOf } from '../testing/builders.ts';
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
    assert.equal(served.recordFor('/ignition', `uuid=x&mac=${macOf(1).toUpperCase()}`), record);
    assert.equal(served.recordFor('/metadata', `mac=${macOf(1)}`), undefined);
    assert.equal(served.recordFor('/ipxe', 'uuid=x'), undefined);
    // Found, not yet answered: not listed.
    assert.deepEqual(served.list(), []);
    served.answeredTo('/ipxe', record, at(1));
    served.answeredTo('/ignition', record, at(2));
    assert.deepEqual(served.list(), [
      { mac: macOf(1), bootScriptAt: new Date(at(1)).toISOString(), ignitionAt: new Date(at(2)).toISOString() },
    ]);
  });

  it('makes a forgotten record again when its holder records into it', () => {
    const served = new ServedMachines({ max: 1 });
    const first = served.recordFor('/ipxe', `mac=${macOf(1)}`);
    assert.ok(first !== undefined);
    served.answeredTo('/ipxe', first, at(1));
    served.answered('/ipxe', `mac=${macOf(2)}`, new Date(at(2)));
    assert.deepEqual(
      served.list().map((machine) => machine.mac),
      [macOf(2)],
    );
    served.answeredTo('/ignition', first, at(3));
    assert.deepEqual(served.list(), [{ mac: macOf(1), ignitionAt: new Date(at(3)).toISOString() }]);
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
});
