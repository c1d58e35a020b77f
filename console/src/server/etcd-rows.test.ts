import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CoreV1Event } from '@kubernetes/client-node';
import {
  etcdBackupObject,
  etcdClusterObject,
  etcdCondition,
  etcdMember,
  runningStatus,
  snapshotRecord,
} from '../../testing/etcd-objects.ts';
import { etcdBackupRow, etcdClusterRow, eventRow } from './etcd-rows.ts';

describe('etcdClusterRow', () => {
  it('shows the spec, the phase, the conditions and every member the operator reported', () => {
    const object = {
      ...etcdClusterObject({ namespace: 'db', name: 'main' }),
      status: runningStatus(['m0', 'm1', 'm2']),
    };
    const row = etcdClusterRow(object);
    assert.equal(row.namespace, 'db');
    assert.equal(row.name, 'main');
    assert.equal(row.size, 3);
    assert.equal(row.phase, 'Running');
    assert.equal(row.readyMembers, 3);
    assert.deepEqual(
      row.conditions.map((condition) => `${condition.type}=${condition.status}`),
      ['Available=True', 'Degraded=False'],
    );
    assert.deepEqual(row.members[0], {
      ...etcdMember('m0', { leader: true }),
    });
    assert.deepEqual(
      row.members.map((member) => member.leader),
      [true, false, false],
    );
  });

  it('a cluster the operator has not seen yet has no phase and no members', () => {
    const row = etcdClusterRow(etcdClusterObject({ namespace: 'db', name: 'new', spec: { size: 5 } }));
    assert.equal(row.size, 5);
    assert.equal(row.phase, undefined);
    assert.deepEqual(row.members, []);
    assert.deepEqual(row.conditions, []);
  });

  it('still shows an object that does not parse, with what could be read, rather than dropping it', () => {
    const object = {
      ...etcdClusterObject({ namespace: 'db', name: 'odd' }),
      status: { phase: 'FromTheFuture', conditions: [etcdCondition('Available', 'False', 'NoQuorum')] },
    };
    const row = etcdClusterRow(object);
    assert.equal(row.name, 'odd');
    assert.equal(row.phase, 'FromTheFuture');
    assert.equal(row.conditions[0]?.reason, 'NoQuorum');
  });
});

describe('etcdBackupRow', () => {
  it('shows the cluster, the destination and each recorded snapshot', () => {
    const snapshot = snapshotRecord('main-1', 1234, 2_097_152);
    const object = {
      ...etcdBackupObject({
        namespace: 'db',
        name: 'nightly',
        cluster: 'main',
        claimName: 'backups',
        schedule: '0 3 * * *',
      }),
      status: { lastSuccess: snapshot.takenAt, backups: [snapshot] },
    };
    const row = etcdBackupRow(object);
    assert.equal(row.cluster, 'main');
    assert.equal(row.schedule, '0 3 * * *');
    assert.deepEqual(row.destination, { pvc: { claimName: 'backups' } });
    assert.deepEqual(row.snapshots, [
      {
        name: 'main-1',
        takenAt: snapshot.takenAt,
        revision: 1234,
        size: 2_097_152,
        sha256: snapshot.sha256,
        location: snapshot.location,
      },
    ]);
  });
});

describe('eventRow', () => {
  it('names the object, and takes the last time the event was seen', () => {
    const event: CoreV1Event = {
      metadata: { namespace: 'db', name: 'main-0.1', creationTimestamp: new Date('2026-12-05T05:00:00Z') },
      involvedObject: { kind: 'Pod', name: 'main-0' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      count: 4,
      lastTimestamp: new Date('2026-12-05T05:30:00Z'),
      type: 'Warning',
    };
    assert.deepEqual(eventRow(event), {
      namespace: 'db',
      name: 'main-0.1',
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      object: 'Pod/main-0',
      count: 4,
      lastSeen: '2026-12-05T05:30:00.000Z',
    });
  });
});
