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
