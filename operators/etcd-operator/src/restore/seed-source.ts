// Where a restored cluster's founding member gets its snapshot: the same store the EtcdRestore resolved and verified
// it from, with the figures it must match again. The restore controller records it on the EtcdCluster it creates (an
// annotation, never a Secret's value: credentials stay in their Secret and reach the member pod through secretKeyRef),
// the cluster controller gives it to the founding member's seeding init containers.
import { StrataError, type EtcdBackup, type EtcdCluster } from '@strata/api';
import { z } from 'zod';

/** On an EtcdCluster created by a restore: the JSON of its SeedSource. */
export const SEED_ANNOTATION = 'etcd.strata.dev/restore-seed';

/** The annotation is there but cannot be read: nothing is seeded from a source that is not understood. */
export class SeedSourceError extends StrataError {}

const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

const s3SeedStoreSchema = z.strictObject({
  kind: z.literal('s3'),
  endpoint: z.string().min(1),
  bucket: z.string().min(1),
  prefix: z.string().optional(),
  region: z.string().optional(),
  forcePathStyle: z.boolean(),
  /** A Secret of the cluster's namespace with accessKeyID and secretAccessKey. */
  credentialsSecret: z.string().min(1),
});

const pvcSeedStoreSchema = z.strictObject({
  kind: z.literal('pvc'),
  claimName: z.string().min(1),
  /** The backup directory below the claim's root, without `..`. */
  path: z.string().refine((path) => !path.split('/').includes('..'), { message: 'must not leave the claim' }),
});

export const seedSourceSchema = z.strictObject({
  /**
   * What makes the restored cluster new: the restore's UID (or a recovery's), part of the initial cluster token that
   * etcdutl derives the new cluster ID from.
   */
  token: z.string().min(1).max(128),
  /** The snapshot's name in its store. */
  name: z.string().min(1),
  sha256: sha256Schema,
  revision: z.int().min(0),
  store: z.discriminatedUnion('kind', [s3SeedStoreSchema, pvcSeedStoreSchema]),
});

export type SeedSource = z.infer<typeof seedSourceSchema>;
export type SeedStore = SeedSource['store'];

/** The seed source an EtcdCluster carries, or undefined when it was not created by a restore. */
export function seedSourceOf(cluster: EtcdCluster): SeedSource | undefined {
  const text = cluster.metadata.annotations?.[SEED_ANNOTATION];
  if (text === undefined) return undefined;
  return parseSeedSource(text, `EtcdCluster ${cluster.metadata.namespace ?? ''}/${cluster.metadata.name}`);
}

/** Parses the annotation's (or a command line's) JSON; throws SeedSourceError naming each bad field. */
export function parseSeedSource(text: string, where: string): SeedSource {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SeedSourceError(
      `${where}: ${SEED_ANNOTATION} is not JSON`,
      { annotation: SEED_ANNOTATION },
      { cause: error },
    );
  }
  const parsed = seedSourceSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new SeedSourceError(`${where}: ${SEED_ANNOTATION} is invalid: ${problems.join('; ')}`, {
      annotation: SEED_ANNOTATION,
      issues: problems,
    });
  }
  return parsed.data;
}

/** The store an EtcdBackup's destination names, as a member pod's seeding step reaches it. */
export function seedStoreOfBackup(backup: EtcdBackup): SeedStore {
  const { destination } = backup.spec;
  if (destination.s3 === undefined) {
    return { kind: 'pvc', claimName: destination.pvc?.claimName ?? '', path: destination.pvc?.path ?? '' };
  }
  return {
    kind: 's3',
    endpoint: destination.s3.endpoint,
    bucket: destination.s3.bucket,
    ...(destination.s3.prefix === undefined ? {} : { prefix: destination.s3.prefix }),
    ...(destination.s3.region === undefined ? {} : { region: destination.s3.region }),
    forcePathStyle: destination.s3.forcePathStyle,
    credentialsSecret: destination.s3.credentialsSecret,
  };
}
