import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECRET_FILE_MODE } from '@strata/host';
import {
  BACKUP_POD_LABEL,
  backupPod,
  backupPodName,
  backupPodOutcome,
  BackupPodError,
  backupPodResultSchema,
  TERMINATION_LOG,
  type BackupPodResult,
} from './backup-pod.ts';
import { backupToDirectory, removalBudget } from './backup-to-directory.ts';
import { aBackupRecord, aFinishedPod, flag, anEtcdBackup, T0 } from './test-fixtures.ts';

const POD = { name: 'nightly-backup-20261204t100000z', container: 'backup' };

describe('a backup pod', () => {
  it('mounts the claim read-write, runs the operator image with no token, and carries what retention needs', () => {
    const records = [aBackupRecord(0, { cluster: 'nightly' }), aBackupRecord(60, { cluster: 'nightly' })];
    const backup = anEtcdBackup({ spec: { retention: { maxBackups: 2, maxAge: '24h' } }, records });
    const pod = backupPod({
      backup,
      operatorImage: 'ghcr.io/strata-dev/etcd-operator:0.1.0',
      endpoints: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379'],
      attemptAt: T0,
      recorded: records,
      retention: backup.spec.retention,
    });
    assert.equal(pod.metadata?.name, 'nightly-backup-20261204t100000z');
    assert.equal(pod.metadata?.labels?.[BACKUP_POD_LABEL], backup.metadata.uid);
    assert.deepEqual(
      pod.metadata?.ownerReferences?.map(({ kind, name, uid, controller }) => ({ kind, name, uid, controller })),
      [{ kind: 'EtcdBackup', name: 'nightly', uid: backup.metadata.uid, controller: true }],
    );
    assert.equal(pod.spec?.restartPolicy, 'Never');
    assert.equal(pod.spec?.automountServiceAccountToken, false);
    const [container] = pod.spec?.containers ?? [];
    assert.equal(container?.image, 'ghcr.io/strata-dev/etcd-operator:0.1.0');
    assert.equal(container?.args?.[0], 'backup-to-directory');
    assert.equal(container?.terminationMessagePath, TERMINATION_LOG);
    assert.equal(container?.terminationMessagePolicy, 'FallbackToLogsOnError');
    const claim = pod.spec?.volumes?.find((volume) => volume.persistentVolumeClaim !== undefined);
    assert.deepEqual(claim?.persistentVolumeClaim, { claimName: 'backups' });
    assert.equal(container?.volumeMounts?.find((mount) => mount.name === claim?.name)?.readOnly, undefined);
    assert.equal(flag(pod, 'endpoints'), 'http://10.0.0.1:2379,http://10.0.0.2:2379');
    assert.equal(flag(pod, 'path'), 'etcd/main');
    assert.equal(flag(pod, 'claim'), 'backups');
    assert.deepEqual(
      JSON.parse(flag(pod, 'recorded') ?? ''),
      records.map(({ name, takenAt }) => ({ name, takenAt })),
    );
    assert.deepEqual(JSON.parse(flag(pod, 'retention') ?? ''), { maxBackups: 2, maxAge: '24h' });
    assert.equal(flag(pod, 'tls-dir'), undefined, 'no TLS without a Secret');
    assert.equal(
      pod.spec?.volumes?.some((volume) => volume.secret !== undefined),
      false,
    );
  });

  it("mounts the client certificate's Secret, owner-read only, for a cluster with TLS", () => {
    const pod = backupPod({
      backup: anEtcdBackup(),
      operatorImage: 'operator',
      endpoints: ['https://10.0.0.1:2379'],
      clientTLSSecret: 'main-client-tls',
      attemptAt: T0,
      recorded: [],
    });
    const secret = pod.spec?.volumes?.find((volume) => volume.secret !== undefined);
    assert.deepEqual(secret?.secret, { secretName: 'main-client-tls', defaultMode: SECRET_FILE_MODE });
    const mount = pod.spec?.containers[0]?.volumeMounts?.find((candidate) => candidate.name === secret?.name);
    assert.equal(mount?.readOnly, true);
    assert.equal(flag(pod, 'tls-dir'), mount?.mountPath);
  });

  it('has a valid pod name however long the EtcdBackup name is', () => {
    const name = backupPodName('b'.repeat(253), T0);
    assert.equal(name.length, 253);
    assert.match(name, /-backup-20261204t100000z$/);
  });

  it('refuses a destination that is not a claim', () => {
    const backup = anEtcdBackup({
      spec: {
        destination: { s3: { endpoint: 'https://s3', bucket: 'etcd', credentialsSecret: 's3', forcePathStyle: true } },
      },
    });
    assert.throws(() =>
      backupPod({ backup, operatorImage: 'operator', endpoints: ['http://x:2379'], attemptAt: T0, recorded: [] }),
    );
  });
});

describe("a backup pod's outcome", () => {
  const record = aBackupRecord(5, { cluster: 'nightly', locate: (name) => `pvc://backups/etcd/main/${name}` });

  it('is the record and the removals a pod that succeeded wrote', () => {
    const stored: BackupPodResult = { outcome: 'stored', record, removed: ['old.db'] };
    assert.deepEqual(backupPodOutcome(aFinishedPod(POD, 'Succeeded', JSON.stringify(stored))), {
      record,
      removed: ['old.db'],
    });
  });

  it("is the pod's own reason and message when it reports a failure", () => {
    const failed: BackupPodResult = { outcome: 'failed', reason: 'NoHealthyMember', message: 'no healthy etcd member' };
    assert.throws(
      () => backupPodOutcome(aFinishedPod(POD, 'Failed', JSON.stringify(failed), 1)),
      (error: unknown) =>
        error instanceof BackupPodError &&
        error.reason === 'NoHealthyMember' &&
        error.message === 'no healthy etcd member',
    );
  });

  it('is BackupPodFailed, quoting the end of the log, when the pod died without a result', () => {
    assert.throws(
      () => backupPodOutcome(aFinishedPod(POD, 'Failed', 'FATAL out of memory\n', 137)),
      (error: unknown) =>
        error instanceof BackupPodError &&
        error.reason === 'BackupPodFailed' &&
        /exit code 137/.test(error.message) &&
        /FATAL out of memory/.test(error.message),
    );
    assert.throws(
      () => backupPodOutcome(aFinishedPod(POD, 'Failed', undefined, 2)),
      (error: unknown) => error instanceof BackupPodError && error.reason === 'BackupPodFailed',
    );
  });

  it('never counts a stored result of a pod that did not succeed', () => {
    const stored: BackupPodResult = { outcome: 'stored', record, removed: [] };
    assert.throws(
      () => backupPodOutcome(aFinishedPod(POD, 'Failed', JSON.stringify(stored), 1)),
      (error: unknown) => error instanceof BackupPodError && error.reason === 'BackupPodFailed',
    );
  });
});

describe('backup-to-directory', () => {
  it('reports a failure as its result, with the reason the controller would give, and writes no backup', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'backup-to-directory-'));
    try {
      const resultFile = join(directory, 'termination-log');
      const common = {
        name: 'nightly',
        claim: 'backups',
        claimMount: join(directory, 'claim'),
        path: 'etcd',
        scratchDirectory: join(directory, 'scratch'),
        resultFile,
      };
      const badArgument = await backupToDirectory({ ...common, endpoints: ['http://127.0.0.1:1'], recorded: '{' });
      assert.equal(badArgument.outcome === 'failed' && badArgument.reason, 'SpecInvalid');
      assert.deepEqual(backupPodResultSchema.parse(JSON.parse(await readFile(resultFile, 'utf8'))), badArgument);

      const leaves = await backupToDirectory({
        ...common,
        path: '../x',
        endpoints: ['http://127.0.0.1:1'],
        recorded: '[]',
      });
      assert.equal(leaves.outcome === 'failed' && leaves.reason, 'SpecInvalid');

      // Port 1 on loopback refuses at once: no member answers.
      const unreachable = await backupToDirectory({ ...common, endpoints: ['http://127.0.0.1:1'], recorded: '[]' });
      assert.equal(unreachable.outcome === 'failed' && unreachable.reason, 'NoHealthyMember');
      assert.match(unreachable.outcome === 'failed' ? unreachable.message : '', /127\.0\.0\.1:1/);

      const noTls = await backupToDirectory({
        ...common,
        endpoints: ['https://127.0.0.1:1'],
        recorded: '[]',
        tlsDirectory: join(directory, 'no-such-secret'),
      });
      assert.equal(noTls.outcome === 'failed' && noTls.reason, 'ClientTLSInvalid');
      await assert.rejects(readFile(join(directory, 'claim', 'etcd')), { code: 'ENOENT' });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('removes only as many expired backups in one run as its result can name', () => {
    const budget = removalBudget('nightly');
    const longest = `${'nightly'}-20261204T100000Z-r${'9'.repeat(19)}.db`;
    const result: BackupPodResult = {
      outcome: 'stored',
      record: aBackupRecord(5, { cluster: 'nightly', locate: (name) => `pvc://backups/${'p'.repeat(200)}/${name}` }),
      removed: Array.from({ length: budget }, () => longest),
    };
    assert.ok(budget >= 20, `at least 20 removals per run for a short name (${budget})`);
    assert.ok(JSON.stringify(result).length <= 4096, 'the result fits in a termination message');
    assert.ok(removalBudget('b'.repeat(253)) >= 5);
  });
});
