// Typed fixture builders for the tests of backups and restores: a backup as an EtcdBackup's status records it.
import type { V1Pod } from '@kubernetes/client-node';
import { ETCD_BACKUP, parseEtcdBackup, type EtcdBackup } from '@strata/api';
import { backupName } from './retention.ts';
import type { BackupRecord } from './backup-status.ts';

export const T0 = new Date('2026-12-04T10:00:00Z');
export const minutesAfter = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

/** A stored backup of `cluster` taken `minutes` after T0 at revision 100 + minutes, located by `locate`. */
export function aBackupRecord(
  minutes: number,
  options: { readonly cluster?: string; readonly locate?: (name: string) => string; readonly sha256?: string } = {},
): BackupRecord {
  const takenAt = minutesAfter(minutes);
  const name = backupName(options.cluster ?? 'main', takenAt, 100 + minutes);
  return {
    name,
    takenAt: takenAt.toISOString(),
    revision: 100 + minutes,
    etcdVersion: '3.6.16',
    size: 20_512,
    sha256: options.sha256 ?? 'ab'.repeat(32),
    location: (options.locate ?? ((file) => `s3://backups/main/${file}`))(name),
  };
}

/** An EtcdBackup `name` of namespace `ns` (clusterRef `main`, to claim `backups`), its spec and status overridden. */
export function anEtcdBackup(
  overrides: {
    readonly name?: string;
    readonly spec?: Partial<EtcdBackup['spec']>;
    readonly records?: BackupRecord[];
  } = {},
): EtcdBackup {
  return parseEtcdBackup({
    apiVersion: ETCD_BACKUP.apiVersion,
    kind: ETCD_BACKUP.kind,
    metadata: { name: overrides.name ?? 'nightly', namespace: 'ns', uid: '0b5e7a3c-2d1f-4e6a-9c8b-7f1e2d3c4b5a' },
    spec: {
      source: { clusterRef: { name: 'main' } },
      destination: { pvc: { claimName: 'backups', path: 'etcd/main' } },
      ...overrides.spec,
    },
    ...(overrides.records === undefined ? {} : { status: { backups: overrides.records } }),
  });
}

/** The value of a `--name=value` argument of a pod's first container. */
export const flag = (pod: V1Pod, name: string): string | undefined =>
  pod.spec?.containers[0]?.args?.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);

/** A one-shot pod of `phase` whose `container` ended with `message` as its termination message. */
export function aFinishedPod(
  pod: { readonly name: string; readonly container: string },
  phase: 'Succeeded' | 'Failed',
  message: string | undefined,
  exitCode = 0,
): V1Pod {
  return {
    metadata: { name: pod.name, namespace: 'ns' },
    status: {
      phase,
      containerStatuses: [
        {
          name: pod.container,
          image: 'operator',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: {
            terminated: {
              exitCode,
              reason: exitCode === 0 ? 'Completed' : 'Error',
              ...(message === undefined ? {} : { message }),
            },
          },
        },
      ],
    },
  };
}
