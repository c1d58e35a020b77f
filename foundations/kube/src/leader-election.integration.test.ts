import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { neverDuring, sharedControlPlane, uniqueName, waitFor } from '@strata/harness';
import { LeaderElector, type LeaderElectionOptions } from './leader-election.ts';

const NAMESPACE = 'default';
const LEASES = `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases`;

describe('LeaderElector against a real API server', () => {
  let client: CoordinationV1Api;
  let kubeConfig: KubeConfig;
  const electors: LeaderElector[] = [];

  before(async () => {
    const cluster = await sharedControlPlane();
    kubeConfig = cluster.adminKubeConfig();
    client = kubeConfig.makeApiClient(CoordinationV1Api);
  });

  after(async () => {
    await Promise.all(electors.map((elector) => elector.stop()));
  });

  const candidate = (
    name: string,
    identity: string,
    events: string[],
    overrides: Partial<LeaderElectionOptions> = {},
  ): LeaderElector => {
    const elector = new LeaderElector({
      client,
      namespace: NAMESPACE,
      name,
      identity,
      leaseDurationSeconds: 3,
      renewDeadlineMs: 2000,
      retryPeriodMs: 250,
      onStartedLeading: (signal) => {
        events.push(`${identity} started`);
        signal.addEventListener('abort', () => events.push(`${identity} aborted`));
      },
      onStoppedLeading: () => events.push(`${identity} stopped`),
      onError: (error) => events.push(`${identity} error ${String(error)}`),
      ...overrides,
    });
    electors.push(elector);
    return elector;
  };

  it('elects exactly one of two candidates, and hands over at once when the leader stops', async () => {
    const name = uniqueName('lease');
    const events: string[] = [];
    const seenLeaders: string[] = [];
    const onNewLeader = (identity: string): void => void seenLeaders.push(identity);
    const a = candidate(name, 'replica-a', events, { onNewLeader });
    const b = candidate(name, 'replica-b', events);
    const runs = [a.run(), b.run()];

    const leader = await waitFor('a leader', () => [a, b].find((elector) => elector.isLeader));
    const standby = leader === a ? b : a;
    const leaderId = leader === a ? 'replica-a' : 'replica-b';
    const standbyId = leader === a ? 'replica-b' : 'replica-a';
    // Through several renewals and retries, the Lease never changes hands, and the leader does renew it.
    const changes = await neverDuring<V1Lease>(kubeConfig, {
      what: 'the Lease changing hands',
      path: LEASES,
      name,
      ms: 1500,
      forbidden: (lease) =>
        lease.spec?.holderIdentity === leaderId ? undefined : `held by ${lease.spec?.holderIdentity ?? 'nobody'}`,
    });
    const renewals = new Set(changes.map((change) => String(change.object.spec?.renewTime)));
    assert.ok(renewals.size >= 3, `the leader renewed ${renewals.size - 1} times while watched`);
    assert.equal([a, b].filter((elector) => elector.isLeader).length, 1);
    assert.equal(events.filter((event) => event.endsWith('started')).length, 1, events.join('\n'));

    const lease = await client.readNamespacedLease({ name, namespace: NAMESPACE });
    assert.equal(lease.spec?.holderIdentity, leaderId);
    assert.equal(lease.spec?.leaseDurationSeconds, 3);
    assert.equal(standby.leader, leaderId);
    assert.deepEqual(seenLeaders, [leaderId]);

    const stoppedAt = Date.now();
    await leader.stop();
    assert.ok(events.includes(`${leaderId} aborted`) && events.includes(`${leaderId} stopped`), events.join('\n'));
    // Released, so well under the 3 s lease duration: one retry period plus jitter.
    await waitFor('the standby to lead', () => (standby.isLeader ? true : undefined), 3000);
    assert.ok(Date.now() - stoppedAt < 2000, `took over after ${Date.now() - stoppedAt} ms`);
    const taken = await client.readNamespacedLease({ name, namespace: NAMESPACE });
    assert.equal(taken.spec?.holderIdentity, standbyId);
    assert.equal(taken.spec?.leaseTransitions, 1, 'a release is no transition; the takeover is');
    assert.deepEqual(
      events.filter((event) => event.includes(' error ')),
      [],
    );

    await standby.stop();
    await Promise.all(runs);
  });

  it('waits out the lease duration of a silent holder by its own clock, whatever renewTime says', async () => {
    const name = uniqueName('lease');
    const longAgo = new V1MicroTime(Date.now() - 3_600_000);
    await client.createNamespacedLease({
      namespace: NAMESPACE,
      body: {
        metadata: { name, namespace: NAMESPACE },
        spec: { holderIdentity: 'crashed-replica', leaseDurationSeconds: 2, renewTime: longAgo, acquireTime: longAgo },
      },
    });
    const events: string[] = [];
    const elector = candidate(name, 'replica-c', events);
    const startedAt = Date.now();
    const run = elector.run();
    await neverDuring<V1Lease>(kubeConfig, {
      what: 'a takeover before the holder’s lease duration',
      path: LEASES,
      name,
      ms: 1000,
      forbidden: (lease) =>
        lease.spec?.holderIdentity === 'crashed-replica'
          ? undefined
          : `held by ${lease.spec?.holderIdentity ?? 'nobody'}`,
    });
    assert.equal(elector.isLeader, false, 'an hour-old renewTime is not trusted across machines');
    assert.deepEqual(
      events.filter((event) => event.endsWith('started')),
      [],
      'it never started leading',
    );
    assert.equal(elector.leader, 'crashed-replica');
    await waitFor('the takeover', () => (elector.isLeader ? true : undefined), 5000);
    assert.ok(Date.now() - startedAt >= 2000, 'waited the holder’s lease duration');
    const lease = await client.readNamespacedLease({ name, namespace: NAMESPACE });
    assert.equal(lease.spec?.holderIdentity, 'replica-c');
    await elector.stop();
    await run;
    const released = await client.readNamespacedLease({ name, namespace: NAMESPACE });
    assert.ok(!released.spec?.holderIdentity, 'released on stop');
  });

  it('gives leadership up when someone else takes the lease', async () => {
    const name = uniqueName('lease');
    const events: string[] = [];
    const elector = candidate(name, 'replica-d', events);
    const run = elector.run();
    await waitFor('leadership', () => (elector.isLeader ? true : undefined));
    // An intruder with a long lease, as if a partition had let another replica take over.
    // The elector renews meanwhile, so retry the write until it does not conflict.
    await waitFor('the intruder to take the lease', async () => {
      const lease = await client.readNamespacedLease({ name, namespace: NAMESPACE });
      const body = {
        ...lease,
        spec: { ...lease.spec, holderIdentity: 'intruder', leaseDurationSeconds: 3600, renewTime: new V1MicroTime() },
      };
      return client.replaceNamespacedLease({ name, namespace: NAMESPACE, body }).then(
        () => true,
        () => undefined,
      );
    });
    await run;
    assert.equal(elector.isLeader, false);
    assert.deepEqual(events.slice(0, 3), ['replica-d started', 'replica-d aborted', 'replica-d stopped']);
    const after = await client.readNamespacedLease({ name, namespace: NAMESPACE });
    assert.equal(after.spec?.holderIdentity, 'intruder', 'a replica that lost does not release another’s lease');
  });
});
