import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { NodeLease } from './node-lease.ts';
import { FakeLeases } from './testing/fake-clients.ts';

function lease(client: FakeLeases, errors: unknown[] = []): NodeLease {
  return new NodeLease({
    client,
    nodeName: 'n1',
    nodeUid: 'uid-1',
    leaseDurationSeconds: 40,
    renewIntervalMs: 20,
    onError: (error) => errors.push(error),
  });
}

describe('the node lease', () => {
  it('is created held by the node, owned by its Node, with a microsecond renew time', async () => {
    const client = new FakeLeases();
    await lease(client).ensure();
    const stored = client.stored;
    assert.equal(stored?.metadata?.namespace, 'kube-node-lease');
    assert.equal(stored?.spec?.holderIdentity, 'n1');
    assert.equal(stored?.spec?.leaseDurationSeconds, 40);
    assert.deepEqual(stored?.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'uid-1' }]);
    assert.match(String(stored?.spec?.renewTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('is renewed with one write per interval, no read, until stopped', async () => {
    const client = new FakeLeases();
    const subject = lease(client);
    await subject.ensure();
    client.calls.length = 0;
    subject.start();
    await sleep(110);
    await subject.stop();
    const renewals = client.calls.length;
    assert.ok(renewals >= 3 && renewals <= 7, `${renewals} renewals in ~5 intervals`);
    assert.ok(client.calls.every((call) => call === 'replace'));
    await sleep(60);
    assert.equal(client.calls.length, renewals, 'none after stop');
  });

  it('renews over a lease someone else wrote, and recreates a deleted one', async () => {
    const client = new FakeLeases();
    const errors: unknown[] = [];
    const subject = lease(client, errors);
    await subject.ensure();
    client.touch();
    client.calls.length = 0;
    subject.start();
    await sleep(5);
    await subject.stop();
    assert.deepEqual(client.calls, ['replace', 'read', 'replace']);
    client.stored = undefined;
    client.calls.length = 0;
    subject.start();
    await sleep(5);
    await subject.stop();
    assert.deepEqual(client.calls, ['replace', 'create']);
    assert.deepEqual(errors, []);
  });

  it('takes over the lease a previous run left', async () => {
    const client = new FakeLeases();
    await lease(client).ensure();
    client.calls.length = 0;
    await lease(client).ensure();
    assert.deepEqual(client.calls, ['create', 'read', 'replace']);
  });
});
