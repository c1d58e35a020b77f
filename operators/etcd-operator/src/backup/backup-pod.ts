// A backup to a PersistentVolumeClaim runs in a one-shot pod of its own (ADR 0053): the pod mounts the claim, so the
// operator never has to. It runs the operator's image (`etcd-operator backup-to-directory`), which takes the snapshot
// from the best member (rule 11), verifies it, stores it whole in the claim's directory, applies retention there, and
// reports the record in its termination message: the one way back to the operator that needs no rights in the API.
import type { V1Pod, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { ETCD_BACKUP, POD_ANNOTATIONS, StrataError, type EtcdBackup } from '@strata/api';
import { SECRET_FILE_MODE } from '@strata/host';
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
    volumes.push({ name: TLS_VOLUME, secret: { secretName: options.clientTLSSecret, defaultMode: SECRET_FILE_MODE } });
    args.push(`--tls-dir=${BACKUP_POD_TLS_MOUNT}`);
  }
  return oneShotPod({
    name: backupPodName(backup.metadata.name, options.attemptAt),
    namespace: backup.metadata.namespace ?? '',
    labels: { [BACKUP_POD_LABEL]: backup.metadata.uid ?? '' },
    // Deleted with its EtcdBackup.
    owner: {
      apiVersion: ETCD_BACKUP.apiVersion,
      kind: ETCD_BACKUP.kind,
      name: backup.metadata.name,
      uid: backup.metadata.uid,
    },
    container: 'backup',
    image: options.operatorImage,
    args,
    volumes,
    mounts,
    // The snapshot is staged on the scratch volume only: a node's drain may discard it.
    scratchVolumes: [SCRATCH_VOLUME],
  });
}

/** What every one-shot pod of the operator's (a backup pod, a verifying pod) is made of. */
export interface OneShotPodOptions {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** The object the pod is deleted with. */
  readonly owner: {
    readonly apiVersion: string;
    readonly kind: string;
    readonly name: string;
    readonly uid?: string | undefined;
  };
  readonly container: string;
  readonly image: string;
  readonly args: readonly string[];
  readonly volumes: readonly V1Volume[];
  readonly mounts: readonly V1VolumeMount[];
  /** emptyDir volumes that only hold scratch data. */
  readonly scratchVolumes?: readonly string[];
}

/**
 * A pod of the operator's image that runs once and reports in its termination message: no service account token, no
 * Service environment, a read-only root file system, restartPolicy Never.
 */
export function oneShotPod(options: OneShotPodOptions): V1Pod {
  const { owner } = options;
  const scratch = options.scratchVolumes ?? [];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: options.name,
      namespace: options.namespace,
      labels: { ...options.labels },
      ...(scratch.length === 0 ? {} : { annotations: { [POD_ANNOTATIONS.scratchVolumes]: scratch.join(',') } }),
      ownerReferences: [
        {
          apiVersion: owner.apiVersion,
          kind: owner.kind,
          name: owner.name,
          uid: owner.uid ?? '',
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
      volumes: [...options.volumes],
      containers: [
        {
          name: options.container,
          image: options.image,
          args: [...options.args],
          volumeMounts: [...options.mounts],
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

/** A one-shot pod's result: what its process wrote, or a reason and a message when it failed. */
type PodResult = { readonly outcome: string } & (
  { readonly outcome: 'failed'; readonly reason: string; readonly message: string } | object
);

/**
 * What a finished one-shot pod reported in its termination message, parsed with `schema`; a BackupPodError with the
 * reason it named when it failed. A pod that ended without a readable result (killed, out of memory, its node gone)
 * is `BackupPodFailed`, quoting whatever the kubelet kept.
 */
export function oneShotPodResult<T extends PodResult>(
  pod: V1Pod,
  container: string,
  schema: z.ZodType<T>,
): Exclude<T, { outcome: 'failed' }> {
  const context = { pod: pod.metadata?.name, namespace: pod.metadata?.namespace, phase: pod.status?.phase };
  const terminated = pod.status?.containerStatuses?.find((status) => status.name === container)?.state?.terminated;
  const message = terminated?.message ?? '';
  let parsed: T | undefined;
  try {
    const result = schema.safeParse(JSON.parse(message));
    if (result.success) parsed = result.data;
  } catch {
    // Not JSON: the end of the pod's log, quoted below.
  }
  if (parsed !== undefined && 'reason' in parsed && parsed.outcome === 'failed') {
    throw new BackupPodError(parsed.reason, parsed.message, context);
  }
  if (parsed !== undefined && pod.status?.phase === 'Succeeded') return parsed as Exclude<T, { outcome: 'failed' }>;
  const name = `${container} pod ${pod.metadata?.name ?? ''}`;
  const ended =
    terminated === undefined
      ? `${name} ended ${pod.status?.phase ?? ''} without a container status${pod.status?.message === undefined ? '' : `: ${pod.status.message}`}`
      : `${name} ended ${pod.status?.phase ?? ''} (exit code ${terminated.exitCode}, ${terminated.reason ?? ''})${message === '' ? '' : `: ${message}`}`;
  throw new BackupPodError('BackupPodFailed', ended, context);
}

/** The backup a finished backup pod stored, or a BackupPodError with the reason it named. */
export function backupPodOutcome(pod: V1Pod): { readonly record: BackupRecord; readonly removed: string[] } {
  const { record, removed } = oneShotPodResult(pod, 'backup', backupPodResultSchema);
  return { record, removed };
}
