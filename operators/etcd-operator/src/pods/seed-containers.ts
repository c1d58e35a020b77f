// The init containers that seed a restored cluster's founding member from its verified snapshot (the steps are
// described in ../restore/seed-member.ts), and the volumes they need: the seed emptyDir and, for a backup kept on a
// claim, that claim read-only. S3 credentials come from their Secret by secretKeyRef: no value is in the pod spec.
import type { V1Container, V1EnvVar, V1Volume } from '@kubernetes/client-node';
import { POD_ANNOTATIONS } from '@strata/api';
import { SEED_RESTORED, SEED_S3_ENV, SEED_SNAPSHOT } from '../restore/seed-member.ts';
import type { SeedSource } from '../restore/seed-source.ts';

export const SEED_DIR = '/var/lib/etcd-seed';
export const BACKUP_MOUNT = '/var/lib/etcd-backup';
const SEED_VOLUME = 'seed';
const BACKUP_VOLUME = 'seed-backup';

export interface SeedContainersOptions {
  readonly source: SeedSource;
  /** The cluster's name: the initial cluster token is `<cluster>-<source token>`, never the cluster's usual one. */
  readonly cluster: string;
  readonly operatorImage: string;
  /** The member's etcd image, whose etcdutl restores the snapshot. */
  readonly etcdImage: string;
  readonly dataDir: string;
  readonly dataVolume: string;
  /** This pod's own peer URL, `$(POD_IP)` expanded by the kubelet. */
  readonly peerURL: string;
  readonly env: readonly V1EnvVar[];
}

export interface SeedContainers {
  readonly initContainers: V1Container[];
  readonly volumes: V1Volume[];
  /** Pod annotations: the seed volume holds only scratch, which a node's drain may discard. */
  readonly annotations: Record<string, string>;
}

/** The token the restored cluster is bootstrapped with: etcd derives the member and cluster IDs from it. */
export const seedClusterToken = (cluster: string, source: SeedSource): string => `${cluster}-restore-${source.token}`;

export function seedContainers(options: SeedContainersOptions): SeedContainers {
  const { source } = options;
  const seedMount = { name: SEED_VOLUME, mountPath: SEED_DIR };
  const dataMount = { name: options.dataVolume, mountPath: options.dataDir };
  const backupMounts =
    source.store.kind === 'pvc' ? [{ name: BACKUP_VOLUME, mountPath: BACKUP_MOUNT, readOnly: true }] : [];
  const credentials: V1EnvVar[] =
    source.store.kind === 's3'
      ? [
          {
            name: SEED_S3_ENV.accessKeyId,
            valueFrom: { secretKeyRef: { name: source.store.credentialsSecret, key: 'accessKeyID' } },
          },
          {
            name: SEED_S3_ENV.secretAccessKey,
            valueFrom: { secretKeyRef: { name: source.store.credentialsSecret, key: 'secretAccessKey' } },
          },
        ]
      : [];
  const common = ['--data-dir', options.dataDir, '--seed-dir', SEED_DIR];
  return {
    initContainers: [
      {
        name: 'seed-fetch',
        image: options.operatorImage,
        args: ['seed-fetch', ...common, '--backup-mount', BACKUP_MOUNT, '--source', JSON.stringify(source)],
        env: [...options.env, ...credentials],
        volumeMounts: [seedMount, dataMount, ...backupMounts],
      },
      {
        name: 'seed-restore',
        image: options.etcdImage,
        command: [
          'etcdutl',
          'snapshot',
          'restore',
          `${SEED_DIR}/${SEED_SNAPSHOT}`,
          `--data-dir=${SEED_DIR}/${SEED_RESTORED}`,
          '--name=$(POD_NAME)',
          `--initial-cluster=$(POD_NAME)=${options.peerURL}`,
          `--initial-advertise-peer-urls=${options.peerURL}`,
          `--initial-cluster-token=${seedClusterToken(options.cluster, source)}`,
          // seed-fetch verified the whole file's sha256 and etcd's trailer; a member seeded before hands over its own
          // database, which has no trailer (see seed-member.ts).
          '--skip-hash-check',
        ],
        env: [...options.env],
        volumeMounts: [seedMount, dataMount],
      },
      {
        name: 'seed-install',
        image: options.operatorImage,
        args: ['seed-install', ...common],
        volumeMounts: [seedMount, dataMount],
      },
    ],
    annotations: { [POD_ANNOTATIONS.scratchVolumes]: SEED_VOLUME },
    volumes: [
      { name: SEED_VOLUME, emptyDir: {} },
      ...(source.store.kind === 'pvc'
        ? [{ name: BACKUP_VOLUME, persistentVolumeClaim: { claimName: source.store.claimName, readOnly: true } }]
        : []),
    ],
  };
}
