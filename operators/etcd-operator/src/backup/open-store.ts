// Opens the store an EtcdBackup's destination names, reading the Secrets it needs by name. Shared by the backup
// controller (which writes there) and the restore controller (which reads a recorded backup back).
import { join } from 'node:path';
import type { CoreV1Api } from '@kubernetes/client-node';
import { StrataError, type EtcdBackup } from '@strata/api';
import { describeApiError } from '@strata/kube';
import { DirectoryStore } from './directory-store.ts';
import { S3Store } from './s3-store.ts';
import type { BackupStore } from './store.ts';

/** A backup's source or destination cannot be used as written (a missing Secret or key, a cluster with no members). */
export class BackupSpecError extends StrataError {}

/** The values of `keys` in Secret `namespace/name`; an absent Secret or key names what is missing, never a value. */
export async function readSecretKeys(
  core: CoreV1Api,
  namespace: string,
  name: string,
  keys: readonly string[],
): Promise<Record<string, string>> {
  let data: Record<string, string> | undefined;
  try {
    data = (await core.readNamespacedSecret({ name, namespace })).data;
  } catch (error) {
    throw new BackupSpecError(
      `cannot read Secret ${namespace}/${name}: ${describeApiError(error)}`,
      { namespace, secret: name },
      { cause: error },
    );
  }
  const values: Record<string, string> = {};
  for (const key of keys) {
    const value = data?.[key];
    if (value === undefined) {
      throw new BackupSpecError(`Secret ${namespace}/${name} has no ${key}`, { namespace, secret: name, key });
    }
    values[key] = Buffer.from(value, 'base64').toString('utf8');
  }
  return values;
}

export interface S3Location {
  readonly endpoint: string;
  readonly bucket: string;
  readonly prefix?: string | undefined;
  readonly region?: string | undefined;
  readonly forcePathStyle: boolean;
  readonly credentialsSecret: string;
}

/** An S3Store with the credentials from `location.credentialsSecret` (keys accessKeyID and secretAccessKey). */
export async function openS3Store(core: CoreV1Api, namespace: string, location: S3Location): Promise<S3Store> {
  const secret = await readSecretKeys(core, namespace, location.credentialsSecret, ['accessKeyID', 'secretAccessKey']);
  return s3StoreAt(location, {
    accessKeyId: secret['accessKeyID'] ?? '',
    secretAccessKey: secret['secretAccessKey'] ?? '',
  });
}

/** An S3Store at `location` with credentials already read (a member's seeding step gets them from its env). */
export function s3StoreAt(
  location: Omit<S3Location, 'credentialsSecret'>,
  credentials: { readonly accessKeyId: string; readonly secretAccessKey: string },
): S3Store {
  return new S3Store({
    endpoint: location.endpoint,
    bucket: location.bucket,
    ...(location.prefix === undefined ? {} : { prefix: location.prefix }),
    ...(location.region === undefined ? {} : { region: location.region }),
    forcePathStyle: location.forcePathStyle,
    credentials: { ...credentials },
  });
}

/**
 * The store of an EtcdBackup's destination. `pvcRoot` is where claims are mounted into the operator:
 * `<pvcRoot>/<namespace>/<claimName>`, then `destination.pvc.path`.
 */
export async function openBackupStore(core: CoreV1Api, backup: EtcdBackup, pvcRoot: string): Promise<BackupStore> {
  const { destination } = backup.spec;
  const namespace = backup.metadata.namespace ?? '';
  if (destination.s3 !== undefined) return openS3Store(core, namespace, destination.s3);
  const claim = destination.pvc?.claimName ?? '';
  const relative = (destination.pvc?.path ?? '').replace(/^\/+/, '');
  if (relative.split('/').includes('..')) {
    throw new BackupSpecError(`destination.pvc.path ${relative} leaves the claim`, { namespace, claim });
  }
  return new DirectoryStore(join(pvcRoot, namespace, claim, relative));
}
