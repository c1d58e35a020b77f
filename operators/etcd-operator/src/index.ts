// The public entry point of @strata/etcd-operator.
export {
  startEtcdOperator,
  ETCD_OPERATOR_LEASE,
  DEFAULT_PVC_ROOT,
  type RunEtcdOperatorOptions,
  type RunningEtcdOperator,
} from './run-operator.ts';
export {
  EtcdClusterController,
  NotLeadingError,
  type EtcdClusterControllerOptions,
  type ResyncIntervals,
} from './controller/controller.ts';
export { EtcdOperatorMetrics } from './controller/metrics.ts';
export { EtcdClient, hexId, type EtcdMember, type EtcdEndpointStatus } from './etcd/gateway-client.ts';
export { EtcdRequestError, isMemberNotFound } from './etcd/errors.ts';
export { plan, quorumOf, removalKeepsQuorum, type Action } from './plan/plan.ts';
export { CLUSTER_LABEL, memberPod, etcdImage } from './pods/member-pod.ts';
export { awaitMember } from './await-member.ts';
export { fetchSeed, installSeed, SeedError, type SeedOutcome } from './restore/seed-member.ts';
export {
  parseSeedSource,
  seedSourceOf,
  SEED_ANNOTATION,
  SeedSourceError,
  type SeedSource,
} from './restore/seed-source.ts';
export { EtcdBackupController, BackupSpecError, type EtcdBackupControllerOptions } from './backup/backup-controller.ts';
export { BackupMetrics } from './backup/backup-metrics.ts';
export {
  backupPod,
  backupPodOutcome,
  BackupPodError,
  BACKUP_POD_LABEL,
  backupPodResultSchema,
  type BackupPodResult,
} from './backup/backup-pod.ts';
export { backupToDirectory, type BackupToDirectoryOptions } from './backup/backup-to-directory.ts';
export {
  snapshotPathInPod,
  verifyOnClaim,
  verifyPod,
  verifyPodName,
  verifyPodOutcome,
  VerifyPodError,
  verifyPodResultSchema,
  VERIFY_POD_LABEL,
  type ClaimSnapshot,
  type VerifyOnClaimOptions,
  type VerifyPodOwner,
  type VerifyPodResult,
} from './restore/verify-pod.ts';
export { verifySnapshot, type VerifySnapshotOptions } from './restore/verify-snapshot.ts';
export {
  takeSnapshot,
  chooseSnapshotMember,
  NoSnapshotSourceError,
  type TakenSnapshot,
} from './backup/take-snapshot.ts';
export { verifySnapshotFile, CorruptSnapshotError, type VerifiedSnapshot } from './backup/snapshot-file.ts';
export { DirectoryStore } from './backup/directory-store.ts';
export { S3Store, type S3StoreOptions } from './backup/s3-store.ts';
export { BackupStoreError, type BackupStore } from './backup/store.ts';
export {
  EtcdRestoreController,
  RestoreTargetExistsError,
  RESTORE_ANNOTATIONS,
  type EtcdRestoreControllerOptions,
} from './restore/restore-controller.ts';
export { parseS3URL, pickRecordedBackup, RestoreSourceError, type S3ObjectRef } from './restore/restore-source.ts';
export { streamSnapshot } from './etcd/snapshot-stream.ts';
export type { EtcdClientTls } from './etcd/tls.ts';
export { requestMemberCertificate, MemberCertificateRefusedError } from './tls/member-certificate.ts';
export { MemberSigner, type MemberSignerOptions } from './tls/member-signer.ts';
export { decideMemberCsr, type MemberCsrDecision, type MemberCsrRefusal } from './tls/member-csr-decision.ts';
export {
  MEMBER_SIGNER,
  MEMBER_CLUSTER_ROLE,
  memberServiceAccount,
  caSecretName,
  caConfigMapName,
  clientSecretName,
} from './tls/names.ts';
