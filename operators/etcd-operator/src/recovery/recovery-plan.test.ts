import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ETCD_BACKUP,
  ETCD_CLUSTER,
  parseEtcdBackup,
  parseEtcdCluster,
  type EtcdBackup,
  type EtcdCluster,
} from '@strata/api';
import { aBackupRecord } from '../backup/test-fixtures.ts';
import {
  RECOVERY_ANNOTATION,
  recoveryCandidates,
  recoveryUnderway,
  revisionLost,
  type RecoveryPlan,
} from './recovery-plan.ts';

const aCluster = (annotations: Record<string, string> = {}, lastRecoveryToken?: string): EtcdCluster =>
  parseEtcdCluster({
    apiVersion: ETCD_CLUSTER.apiVersion,
    kind: ETCD_CLUSTER.kind,
    metadata: { name: 'main', namespace: 'apps', uid: 'uid-1', annotations },
    spec: { size: 3, version: '3.6.16', storage: { emptyDir: {} }, recovery: 'fromLatestBackup' },
    ...(lastRecoveryToken === undefined
      ? {}
      : {
          status: {
            lastRecovery: {
              token: lastRecoveryToken,
              backup: 'nightly',
              snapshot: 's3://b/main.db',
              restoredRevision: 40,
              revisionLost: 2,
              startedAt: '2026-12-05T02:00:00Z',
            },
          },
        }),
  });

/** An EtcdBackup of `source` in `namespace` whose status records backups taken at the given minutes after T0. */
const aBackup = (name: string, minutes: readonly number[], source = 'main', namespace = 'apps'): EtcdBackup =>
  parseEtcdBackup({
    apiVersion: ETCD_BACKUP.apiVersion,
    kind: ETCD_BACKUP.kind,
    metadata: { name, namespace },
    spec: {
      source: { clusterRef: { name: source } },
      destination: { pvc: { claimName: 'backups' } },
    },
    status: { backups: minutes.map((minute) => aBackupRecord(minute, { cluster: source })) },
  });

const aPlan = (token: string): RecoveryPlan => ({
  token,
  backup: 'nightly',
  snapshot: 's3://b/main.db',
  restoredRevision: 40,
  revisionLost: 2,
  startedAt: '2026-12-05T02:00:00Z',
  pods: ['main-aaaaaa'],
  claims: [],
});

describe('a recovery from a backup', () => {
  it('takes the backups of this cluster only, newest first across its EtcdBackups', () => {
    const candidates = recoveryCandidates(
      [
        aBackup('hourly', [10, 70]),
        aBackup('nightly', [40]),
        aBackup('other-cluster', [90], 'other'),
        aBackup('other-namespace', [95], 'main', 'elsewhere'),
      ],
      aCluster(),
    );
    assert.deepEqual(
      candidates.map((candidate) => [candidate.backup.metadata.name, candidate.record.revision]),
      [
        ['hourly', 170],
        ['nightly', 140],
        ['hourly', 110],
      ],
    );
    assert.deepEqual(recoveryCandidates([aBackup('empty', [])], aCluster()), []);
  });

  it('counts the revisions lost from the last one observed, never below zero', () => {
    assert.equal(revisionLost(57, 40), 17);
    assert.equal(revisionLost(40, 40), 0);
    assert.equal(revisionLost(undefined, 40), 0, 'nothing observed: nothing known to be lost');
    assert.equal(revisionLost(30, 40), 0);
  });

  it('is under way while the annotation names a recovery the status has not recorded as done', () => {
    assert.equal(recoveryUnderway(aCluster()), undefined);
    const annotated = { [RECOVERY_ANNOTATION]: JSON.stringify(aPlan('t2')) };
    assert.deepEqual(recoveryUnderway(aCluster(annotated)), aPlan('t2'));
    assert.deepEqual(recoveryUnderway(aCluster(annotated, 't1')), aPlan('t2'), 'an earlier recovery was done');
    assert.equal(recoveryUnderway(aCluster(annotated, 't2')), undefined, 'this one is done');
  });

  it('takes an annotation it cannot read for no recovery: nothing destructive follows from it', () => {
    assert.equal(recoveryUnderway(aCluster({ [RECOVERY_ANNOTATION]: '{not json' })), undefined);
    const missingPods = { ...aPlan('t3'), pods: undefined };
    assert.equal(recoveryUnderway(aCluster({ [RECOVERY_ANNOTATION]: JSON.stringify(missingPods) })), undefined);
  });
});
