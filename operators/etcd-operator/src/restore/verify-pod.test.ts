import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ETCD_RESTORE } from '@strata/api';
import { BackupPodError, TERMINATION_LOG } from '../backup/backup-pod.ts';
import { CorruptSnapshotError } from '../backup/snapshot-file.ts';
import { aBackupRecord, aFinishedPod, flag } from '../backup/test-fixtures.ts';
import {
  snapshotPathInPod,
  VERIFY_POD_CLAIM_MOUNT,
  VERIFY_POD_LABEL,
  verifyPod,
  verifyPodName,
  verifyPodOutcome,
  verifyPodResultSchema,
  type ClaimSnapshot,
  type VerifyPodOwner,
  type VerifyPodResult,
} from './verify-pod.ts';
import { verifySnapshot } from './verify-snapshot.ts';

const OWNER: VerifyPodOwner = {
  apiVersion: ETCD_RESTORE.apiVersion,
  kind: ETCD_RESTORE.kind,
  name: 'from-nightly',
  namespace: 'ns',
  uid: '5c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
};

/** The snapshot of a recorded backup on claim `backups` in `etcd/main`, as the backup pod records it. */
function aClaimSnapshot(overrides: Partial<ClaimSnapshot> = {}): ClaimSnapshot {
  const record = aBackupRecord(5, { locate: (name) => `pvc://backups/etcd/main/${name}`, sha256: 'c0'.repeat(32) });
  return {
    claimName: 'backups',
    path: 'etcd/main',
    name: record.name,
    location: record.location,
    sha256: record.sha256,
    revision: record.revision,
    ...overrides,
  };
}

const result = (value: VerifyPodResult): string => JSON.stringify(verifyPodResultSchema.parse(value));

const POD = { name: 'from-nightly-verify-c0c0c0c0c0c0', container: 'verify' };

describe('a verifying pod', () => {
  it('mounts the claim read-only, runs the operator image with no token, and names the snapshot and its figures', () => {
    const snapshot = aClaimSnapshot();
    const pod = verifyPod({ owner: OWNER, operatorImage: 'registry.local/etcd-operator:1', snapshot });
    assert.equal(pod.metadata?.name, verifyPodName(OWNER.name, snapshot.sha256));
    assert.equal(pod.metadata?.namespace, 'ns');
    assert.deepEqual(pod.metadata?.labels, { [VERIFY_POD_LABEL]: OWNER.uid });
    assert.deepEqual(pod.metadata?.ownerReferences?.[0], {
      apiVersion: OWNER.apiVersion,
      kind: OWNER.kind,
      name: OWNER.name,
      uid: OWNER.uid,
      controller: true,
      blockOwnerDeletion: true,
    });
    assert.equal(pod.spec?.restartPolicy, 'Never');
    assert.equal(pod.spec?.automountServiceAccountToken, false);
    assert.deepEqual(pod.spec?.volumes, [
      { name: 'backup', persistentVolumeClaim: { claimName: 'backups', readOnly: true } },
    ]);
    const [container] = pod.spec?.containers ?? [];
    assert.equal(container?.image, 'registry.local/etcd-operator:1');
    assert.equal(container?.args?.[0], 'verify-snapshot');
    assert.deepEqual(container?.volumeMounts, [{ name: 'backup', mountPath: VERIFY_POD_CLAIM_MOUNT, readOnly: true }]);
    assert.equal(container?.terminationMessagePath, TERMINATION_LOG);
    assert.equal(container?.terminationMessagePolicy, 'FallbackToLogsOnError');
    assert.equal(flag(pod, 'file'), `${VERIFY_POD_CLAIM_MOUNT}/etcd/main/${snapshot.name}`);
    assert.equal(flag(pod, 'location'), snapshot.location);
    assert.equal(flag(pod, 'sha256'), snapshot.sha256);
    assert.equal(flag(pod, 'revision'), String(snapshot.revision));
    assert.equal(flag(pod, 'result-file'), TERMINATION_LOG);
  });

  it('is named after its owner and snapshot, a valid pod name however long the owner', () => {
    const long = 'r'.repeat(300);
    const name = verifyPodName(long, 'c0'.repeat(32));
    assert.equal(name.length, 253);
    assert.match(name, /-verify-c0c0c0c0c0c0$/);
    assert.notEqual(verifyPodName('a', 'c0'.repeat(32)), verifyPodName('a', 'c1'.repeat(32)));
  });

  it('refuses a snapshot path that leaves the claim', () => {
    assert.throws(() => snapshotPathInPod({ path: '../other', name: 'x.db' }), /leaves its claim/);
    assert.throws(() => snapshotPathInPod({ path: 'etcd', name: '../../x.db' }), /leaves its claim/);
    assert.equal(snapshotPathInPod({ path: '/', name: 'x.db' }), `${VERIFY_POD_CLAIM_MOUNT}/x.db`);
  });
});

describe("a verifying pod's outcome", () => {
  const snapshot = aClaimSnapshot();
  const revision = snapshot.revision ?? 0;

  it('is the figures the pod reported when they are the recorded ones', () => {
    const pod = aFinishedPod(
      POD,
      'Succeeded',
      result({ outcome: 'verified', sha256: snapshot.sha256, revision, size: 20_512 }),
    );
    assert.deepEqual(verifyPodOutcome(pod, snapshot), { sha256: snapshot.sha256, revision, size: 20_512 });
  });

  it('is a CorruptSnapshotError naming the location when the pod found the snapshot corrupt', () => {
    const pod = aFinishedPod(
      POD,
      'Failed',
      result({ outcome: 'failed', reason: 'SnapshotCorrupt', message: 'its trailer does not match' }),
      1,
    );
    assert.throws(
      () => verifyPodOutcome(pod, snapshot),
      (error) =>
        error instanceof CorruptSnapshotError &&
        error.message.includes(snapshot.location) &&
        error.message.includes('its trailer does not match'),
    );
  });

  it('checks the reported figures against the recorded ones again', () => {
    const pod = aFinishedPod(
      POD,
      'Succeeded',
      result({ outcome: 'verified', sha256: snapshot.sha256, revision: revision + 1, size: 20_512 }),
    );
    assert.throws(() => verifyPodOutcome(pod, snapshot), CorruptSnapshotError);
  });

  it("is the pod's reason for any other failure, and BackupPodFailed for a pod that died without a result", () => {
    const failed = aFinishedPod(
      POD,
      'Failed',
      result({ outcome: 'failed', reason: 'StoreFailed', message: 'cannot read it' }),
      1,
    );
    assert.throws(
      () => verifyPodOutcome(failed, snapshot),
      (error) => error instanceof BackupPodError && error.reason === 'StoreFailed',
    );
    const died = aFinishedPod(POD, 'Failed', 'Killed', 137);
    assert.throws(
      () => verifyPodOutcome(died, snapshot),
      (error) =>
        error instanceof BackupPodError &&
        error.reason === 'BackupPodFailed' &&
        /verify pod .*exit code 137/.test(error.message),
    );
  });
});

describe('verify-snapshot', () => {
  const withDirectory = async (run: (directory: string) => Promise<void>): Promise<void> => {
    const directory = await mkdtemp(join(tmpdir(), 'verify-snapshot-'));
    try {
      await run(directory);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  };

  it('reports a file that is not a snapshot as SnapshotCorrupt, and a missing one as StoreFailed', async () => {
    await withDirectory(async (directory) => {
      const resultFile = join(directory, 'termination-log');
      const file = join(directory, 'snapshot.db');
      await writeFile(file, Buffer.alloc(100, 7));
      const snapshot = aClaimSnapshot();
      const corrupt = await verifySnapshot({ ...snapshot, file, resultFile });
      assert.equal(corrupt.outcome, 'failed');
      assert.deepEqual(verifyPodResultSchema.parse(JSON.parse(await readFile(resultFile, 'utf8'))), corrupt);
      assert.equal(corrupt.outcome === 'failed' ? corrupt.reason : '', 'SnapshotCorrupt');

      const missing = await verifySnapshot({ ...snapshot, file: join(directory, 'gone.db'), resultFile });
      assert.equal(missing.outcome === 'failed' ? missing.reason : '', 'StoreFailed');
      assert.match(missing.outcome === 'failed' ? missing.message : '', /cannot read pvc:\/\/backups\/etcd\/main\//);
    });
  });
});
