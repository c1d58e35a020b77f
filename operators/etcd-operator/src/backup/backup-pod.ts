// A backup to a PersistentVolumeClaim runs in a one-shot pod of its own (ADR 0053): the pod mounts the claim, so the
// operator never has to. It runs the operator's image (`etcd-operator backup-to-directory`), which takes the snapshot
// from the best member (rule 11), verifies it, stores it whole in the claim's directory, applies retention there, and
// reports the record in its termination message: the one way back to the operator that needs no rights in the API.
import type { V1Pod, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { ETCD_BACKUP, POD_ANNOTATIONS, StrataError, type EtcdBackup } from '@strata/api';
import { z } from 'zod';
import type { BackupRecord } from './backup-status.ts';
import type { RetainedBackup, RetentionPolicy } from './retention.ts';

/** Every backup pod carries its EtcdBackup's UID (a name may be longer than a label value allows). */
export const BACKUP_POD_LABEL = 'etcd.strata.dev/backup-uid';
/** Where the pod mounts the claim, its TLS Secret and its scratch volume. */
export const BACKUP_POD_CLAIM_MOUNT = '/var/lib/etcd-backup';
export const BACKUP_POD_TLS_MOUNT = '/etc/etcd-backup/tls';
export const BACKUP_POD_SCRATCH_MOUNT = '/var/lib/etcd-backup-scratch';
/** The kubelet's default terminationMessagePath, and its limit on what it reports of it. */
export const TERMINATION_LOG = '/dev/termination-log';
export const TERMINATION_MESSAGE_LIMIT = 4096;

const CLAIM_VOLUME = 'backup';
const TLS_VOLUME = 'client-tls';
const SCRATCH_VOLUME = 'scratch';

/** The backup pod failed: `reason` is the condition reason the pod named (or `BackupPodFailed`). */
export class BackupPodError extends StrataError {
  readonly reason: string;

  constructor(reason: string, message: string, context: Record<string, unknown>) {
    super(message, context);
    this.reason = reason;
  }
}

const recordSchema = z.strictObject({
  name: z.string().min(1),
  takenAt: z.iso.datetime({ offset: true }),
  revision: z.int().min(0),
  etcdVersion: z.string(),
  size: z.int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  location: z.string(),
});

/** What `backup-to-directory` writes to its termination log; kept short, since the kubelet keeps 4096 bytes. */
export const backupPodResultSchema = z.discriminatedUnion('outcome', [
  z.strictObject({ outcome: z.literal('stored'), record: recordSchema, removed: z.array(z.string()) }),
  z.strictObject({ outcome: z.literal('failed'), reason: z.string().min(1), message: z.string() }),
]);
export type BackupPodResult = z.infer<typeof backupPodResultSchema>;

export interface BackupPodOptions {
  readonly backup: EtcdBackup;
  readonly operatorImage: string;
  readonly endpoints: readonly string[];
  /** A kubernetes.io/tls Secret (with ca.crt) of the backup's namespace for https endpoints. */
  readonly clientTLSSecret?: string | undefined;
  /** The attempt's time: part of the pod's name. */
  readonly attemptAt: Date;
  /** What retention sees besides the new backup (backupRetention), and the policy. */
  readonly recorded: readonly RetainedBackup[];
  readonly retention?: RetentionPolicy | undefined;
}

const stamp = (at: Date): string =>
  at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'z')
    .replaceAll(/[-:]/g, '')
    .toLowerCase();

/** `<backup>-backup-<time>`: one pod per attempt, its name cut so that it stays a valid pod name. */
export function backupPodName(backup: string, attemptAt: Date): string {
  const suffix = `-backup-${stamp(attemptAt)}`;
  return `${backup.slice(0, 253 - suffix.length)}${suffix}`;
}

/** The one-shot pod of one attempt: no service account token, the claim read-write, the client certificate if any. */
export function backupPod(options: BackupPodOptions): V1Pod {
  const { backup } = options;
  const pvc = backup.spec.destination.pvc;
  if (pvc === undefined) throw new TypeError('a backup pod is only for destination.pvc');
  const path = (pvc.path ?? '').replace(/^\/+/, '');
  const mounts: V1VolumeMount[] = [
    { name: CLAIM_VOLUME, mountPath: BACKUP_POD_CLAIM_MOUNT },
    { name: SCRATCH_VOLUME, mountPath: BACKUP_POD_SCRATCH_MOUNT },
  ];
  const volumes: V1Volume[] = [
    { name: CLAIM_VOLUME, persistentVolumeClaim: { claimName: pvc.claimName } },
    { name: SCRATCH_VOLUME, emptyDir: {} },
  ];
  const args = [
    'backup-to-directory',
    `--name=${backup.metadata.name}`,
    `--endpoints=${options.endpoints.join(',')}`,
    `--claim=${pvc.claimName}`,
    `--claim-mount=${BACKUP_POD_CLAIM_MOUNT}`,
    `--path=${path}`,
    `--scratch-dir=${BACKUP_POD_SCRATCH_MOUNT}`,
    `--result-file=${TERMINATION_LOG}`,
    // Only what retention needs of each recorded backup: its name and when it was taken.
    `--recorded=${JSON.stringify(options.recorded.map(({ name, takenAt }) => ({ name, takenAt })))}`,
  ];
  const { retention } = options;
  if (retention !== undefined) args.push(`--retention=${JSON.stringify(retention)}`);
  if (options.clientTLSSecret !== undefined) {
    mounts.push({ name: TLS_VOLUME, mountPath: BACKUP_POD_TLS_MOUNT, readOnly: true });
    volumes.push({ name: TLS_VOLUME, secret: { secretName: options.clientTLSSecret, defaultMode: 0o400 } });
    args.push(`--tls-dir=${BACKUP_POD_TLS_MOUNT}`);
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: backupPodName(backup.metadata.name, options.attemptAt),
      namespace: backup.metadata.namespace ?? '',
      labels: { [BACKUP_POD_LABEL]: backup.metadata.uid ?? '' },
      // The snapshot is staged on the scratch volume only: a node's drain may discard it.
      annotations: { [POD_ANNOTATIONS.scratchVolumes]: SCRATCH_VOLUME },
      // Deleted with its EtcdBackup.
      ownerReferences: [
        {
          apiVersion: ETCD_BACKUP.apiVersion,
          kind: ETCD_BACKUP.kind,
          name: backup.metadata.name,
          uid: backup.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      restartPolicy: 'Never',
      // The pod talks to etcd and to its claim only: no token, no Service environment.
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 10,
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      volumes,
      containers: [
        {
          name: 'backup',
          image: options.operatorImage,
          args,
          volumeMounts: mounts,
          terminationMessagePath: TERMINATION_LOG,
          // A process that dies before writing its result still says why: the end of its log.
          terminationMessagePolicy: 'FallbackToLogsOnError',
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
        },
      ],
    },
  };
}

/** The pod has ended (Succeeded or Failed) and will not run again. */
export const backupPodFinished = (pod: V1Pod): boolean =>
  pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/**
 * The backup a finished pod stored, or a BackupPodError with the reason it named. A pod that ended without a readable
 * result (killed, out of memory, its node gone) is `BackupPodFailed`, quoting whatever the kubelet kept.
 */
export function backupPodOutcome(pod: V1Pod): { readonly record: BackupRecord; readonly removed: string[] } {
  const context = { pod: pod.metadata?.name, namespace: pod.metadata?.namespace, phase: pod.status?.phase };
  const terminated = pod.status?.containerStatuses?.find((status) => status.name === 'backup')?.state?.terminated;
  const message = terminated?.message ?? '';
  let parsed: BackupPodResult | undefined;
  try {
    const result = backupPodResultSchema.safeParse(JSON.parse(message));
    if (result.success) parsed = result.data;
  } catch {
    // Not JSON: the end of the pod's log, quoted below.
  }
  if (parsed?.outcome === 'stored' && pod.status?.phase === 'Succeeded') {
    return { record: parsed.record, removed: parsed.removed };
  }
  if (parsed?.outcome === 'failed') throw new BackupPodError(parsed.reason, parsed.message, context);
  const ended =
    terminated === undefined
      ? `backup pod ${pod.metadata?.name ?? ''} ended ${pod.status?.phase ?? ''} without a container status${pod.status?.message === undefined ? '' : `: ${pod.status.message}`}`
      : `backup pod ${pod.metadata?.name ?? ''} ended ${pod.status?.phase ?? ''} (exit code ${terminated.exitCode}, ${terminated.reason ?? ''})${message === '' ? '' : `: ${message}`}`;
  throw new BackupPodError('BackupPodFailed', ended, context);
}
