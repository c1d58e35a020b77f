// The EtcdCluster custom resource: an etcd cluster the etcd operator creates, heals and scales.
import { z } from 'zod';
import { kubernetes } from '../crd/schema-rules.ts';
import {
  conditionsSchema,
  cronScheduleSchema,
  dnsLabelSchema,
  ETCD_API_VERSION,
  ETCD_GROUP,
  ETCD_CRD_VERSION,
  exactlyOne,
  objectMetadataSchema,
  parseEtcdResource,
  quantitySchema,
} from './common.ts';

export const ETCD_CLUSTER = {
  group: ETCD_GROUP,
  version: ETCD_CRD_VERSION,
  apiVersion: ETCD_API_VERSION,
  kind: 'EtcdCluster',
  listKind: 'EtcdClusterList',
  plural: 'etcdclusters',
  singular: 'etcdcluster',
} as const;

/**
 * Automatic member TLS (spec.tls.auto): member pods ask for their certificates with CertificateSigningRequests of
 * this signerName, which only the etcd operator approves and signs.
 */
export const ETCD_MEMBER_SIGNER = 'etcd.strata.dev/member';
/** The ClusterRole, and the one ClusterRoleBinding whose subjects the operator keeps, of members' service accounts. */
export const ETCD_MEMBER_CLUSTER_ROLE = 'strata:etcd-member';

export const MIN_ETCD_CLUSTER_SIZE = 1;
export const MAX_ETCD_CLUSTER_SIZE = 7;

/** etcd releases the operator can run: 3.x.y, without a leading v (as the official images are tagged). */
export const ETCD_VERSION_PATTERN = '^3\\.[0-9]+\\.[0-9]+$';
const VERSION_MESSAGE = 'must be an etcd release such as 3.6.16 (major 3, no leading v)';

export const ETCD_RECOVERY_MODES = ['manual', 'fromLatestBackup'] as const;
export const ETCD_CLUSTER_CONDITIONS = ['Available', 'Progressing', 'Degraded', 'QuorumLost', 'Paused'] as const;
export type EtcdClusterConditionType = (typeof ETCD_CLUSTER_CONDITIONS)[number];
export const ETCD_CLUSTER_PHASES = [
  'Creating',
  'Running',
  'Scaling',
  'Healing',
  'Upgrading',
  'Degraded',
  'QuorumLost',
  'Paused',
] as const;
export type EtcdClusterPhase = (typeof ETCD_CLUSTER_PHASES)[number];

const pvcStorageSchema = z
  .strictObject({
    storageClassName: z
      .string()
      .min(1)
      .max(253)
      .optional()
      .describe("The claim's storage class; the default class if absent."),
    size: quantitySchema.describe("Each member's volume, e.g. 8Gi."),
    retainOnDelete: z
      .boolean()
      .default(true)
      .describe('Keep the claims when the EtcdCluster is deleted (the default), so that its data can be recovered.'),
  })
  .describe("A PersistentVolumeClaim per member: the member's data survives its pod.");

const emptyDirStorageSchema = z
  .strictObject({
    medium: z.enum(['', 'Memory']).optional().describe("Memory: a tmpfs, counted against the pod's memory."),
    sizeLimit: quantitySchema.optional(),
  })
  .describe('An emptyDir per member: its data dies with its pod, and the member is replaced. Only when asked for.');

const storageSchema = kubernetes(
  z.strictObject({ pvc: pvcStorageSchema.optional(), emptyDir: emptyDirStorageSchema.optional() }),
  { rules: [exactlyOne('pvc', 'emptyDir')] },
).describe('Where each member keeps its data: exactly one of pvc and emptyDir.');

const tlsSecretsSchema = z.strictObject({
  peerSecret: dnsLabelSchema.describe('kubernetes.io/tls Secret with ca.crt for peer traffic.'),
  serverSecret: dnsLabelSchema.describe('kubernetes.io/tls Secret with ca.crt for the client port.'),
  clientSecret: dnsLabelSchema.describe("kubernetes.io/tls Secret the operator's own client uses."),
});

/** What the API server (CRD default) and zod both give a cluster whose spec names no tls: automatic TLS. */
export const ETCD_DEFAULT_TLS = { auto: { certificateValidityHours: 8760 } } as const;

/** The message of spec.tls's transition rule: what cannot be done, and what to do instead. */
export const ETCD_TLS_IMMUTABLE_MESSAGE =
  'is immutable: the members keep the URLs and certificates they started with; create a new EtcdCluster with the tls you want and restore a backup of this one into it (EtcdRestore)';

const tlsSchema = kubernetes(
  z.strictObject({
    auto: z
      .strictObject({
        certificateValidityHours: z
          .int()
          .min(24)
          .max(87_600)
          .default(8760)
          .describe('How long each certificate is valid; the operator renews it at two thirds of that.'),
      })
      .optional()
      .describe("Certificates from Strata's PKI for peer, server and client (the default)."),
    secrets: tlsSecretsSchema.optional().describe("The user's own certificates."),
    disabled: z
      .strictObject({})
      .optional()
      .describe('Plaintext on every port, with no client authentication: only when asked for, never the default.'),
  }),
  {
    rules: [
      exactlyOne('auto', 'secrets', 'disabled'),
      // A running member cannot switch schemes or CAs in place: its peers know it by its https or http peer URL.
      { rule: 'self == oldSelf', message: ETCD_TLS_IMMUTABLE_MESSAGE, holds: () => true },
    ],
  },
)
  .default(ETCD_DEFAULT_TLS)
  .describe(
    "TLS for peer, server and client traffic: automatic when absent, the user's own secrets, or disabled (plaintext). Immutable.",
  );

const stringMap = z.record(z.string(), z.string());
/** Kubernetes' own types, kept as written and handed to the pods unchanged (the API server validates them there). */
const opaqueObject = kubernetes(z.record(z.string(), z.unknown()), { preserveUnknownFields: true });

const podTemplateSchema = z
  .strictObject({
    labels: stringMap.optional(),
    annotations: stringMap.optional(),
    nodeSelector: stringMap.optional(),
    resources: opaqueObject.optional().describe("The etcd container's requests and limits."),
    affinity: opaqueObject.optional(),
    tolerations: z.array(opaqueObject).max(64).optional(),
  })
  .describe("What each member's pod gets beside what the operator decides.");

export const etcdClusterSpecSchema = z
  .strictObject({
    size: z
      .int('must be a whole number of members')
      .min(MIN_ETCD_CLUSTER_SIZE, `must be from ${MIN_ETCD_CLUSTER_SIZE} to ${MAX_ETCD_CLUSTER_SIZE}`)
      .max(MAX_ETCD_CLUSTER_SIZE, `must be from ${MIN_ETCD_CLUSTER_SIZE} to ${MAX_ETCD_CLUSTER_SIZE}`)
      .describe('How many voting members (1 to 7; an odd number tolerates as many failures as the even one above it).'),
    version: z.string().max(32).regex(new RegExp(ETCD_VERSION_PATTERN), VERSION_MESSAGE).describe('The etcd release.'),
    repository: z
      .string()
      .min(1)
      .max(255)
      .default('registry.k8s.io/etcd')
      .describe('The image repository; the tag is the version.'),
    storage: storageSchema,
    tls: tlsSchema,
    podTemplate: podTemplateSchema.optional(),
    paused: z.boolean().default(false).describe('Observe and report only; change nothing.'),
    recovery: z
      .enum(ETCD_RECOVERY_MODES, { error: `must be one of ${ETCD_RECOVERY_MODES.join(', ')}` })
      .default('manual')
      .describe('After a quorum loss: manual (report and wait) or fromLatestBackup (restore into a new cluster).'),
    quotaBackendBytes: z
      .int()
      .min(1_048_576, 'must be at least 1 MiB')
      .max(8_589_934_592, "must be at most 8 GiB, etcd's own limit")
      .optional()
      .describe("etcd's --quota-backend-bytes: past it a member raises NOSPACE, which the operator clears."),
    defragmentation: z
      .strictObject({ schedule: cronScheduleSchema.describe('When to defragment, one member at a time (cron).') })
      .optional(),
  })
  .describe('An etcd cluster the operator keeps at its size without ever losing quorum.');

const memberStatusSchema = z.strictObject({
  name: z.string(),
  id: z.string().describe('The member ID, hexadecimal as etcdctl prints it.'),
  leader: z.boolean(),
  learner: z.boolean(),
  healthy: z.boolean(),
  version: z.string().optional(),
  dbSize: z.int().min(0).optional(),
  revision: z.int().min(0).optional(),
  clientURL: z.string().optional(),
});

export const etcdClusterStatusSchema = z
  .strictObject({
    observedGeneration: z.int().min(0).optional(),
    phase: z.enum(ETCD_CLUSTER_PHASES).optional(),
    clusterID: z.string().optional(),
    conditions: conditionsSchema(ETCD_CLUSTER_CONDITIONS).optional(),
    members: z.array(memberStatusSchema).max(16).optional(),
    readyMembers: z.int().min(0).optional(),
    currentVersion: z.string().optional(),
    clientURL: z.string().optional().describe("The members' client URLs, comma-separated."),
    lastBackup: z.iso.datetime({ offset: true }).optional(),
    observedRevision: z
      .int()
      .min(0)
      .optional()
      .describe('The highest revision a member last answered with, kept while none answers.'),
    lastRecovery: z
      .strictObject({
        token: z.string().max(128).describe('Names this recovery (part of its initial cluster token).'),
        backup: z.string().max(253).describe('The EtcdBackup whose recorded backup was restored.'),
        snapshot: z.string().max(2048).describe('Where that backup is: a path or an s3:// URL.'),
        restoredRevision: z.int().min(0),
        revisionLost: z
          .int()
          .min(0)
          .describe('The last revision the operator observed minus the restored one: writes the recovery lost.'),
        previousClusterID: z.string().max(32).optional(),
        startedAt: z.iso.datetime({ offset: true }),
        completedAt: z.iso.datetime({ offset: true }).optional(),
      })
      .optional()
      .describe('The last recovery from a backup after a quorum loss (spec.recovery: fromLatestBackup).'),
    upgrade: z
      .strictObject({
        fromVersion: z.string().max(32),
        toVersion: z.string().max(32),
        snapshot: z
          .strictObject({
            backup: z.string().max(253).describe('The one-shot EtcdBackup the operator created for it.'),
            name: z.string().max(1024),
            location: z.string().max(2048),
            revision: z.int().min(0),
            sha256: z.string().regex(/^[0-9a-f]{64}$/),
            takenAt: z.iso.datetime({ offset: true }),
          })
          .describe('The snapshot taken before the first member was upgraded.'),
        completedAt: z.iso.datetime({ offset: true }).optional().describe('When every member ran toVersion.'),
      })
      .optional()
      .describe('The last upgrade: its pre-upgrade snapshot, and when it completed.'),
    lastDefragmentation: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('When the last round of spec.defragmentation (every member, one at a time) finished.'),
  })
  .describe('What etcd itself last said, and what the operator made of it.');

export const etcdClusterSchema = z.strictObject({
  apiVersion: z.literal(ETCD_CLUSTER.apiVersion),
  kind: z.literal(ETCD_CLUSTER.kind),
  metadata: objectMetadataSchema,
  spec: etcdClusterSpecSchema,
  status: etcdClusterStatusSchema.optional(),
});

export type EtcdCluster = z.output<typeof etcdClusterSchema>;
export type EtcdClusterSpec = z.output<typeof etcdClusterSpecSchema>;
export type EtcdClusterSpecInput = z.input<typeof etcdClusterSpecSchema>;
export type EtcdClusterStatus = z.output<typeof etcdClusterStatusSchema>;
export type EtcdMemberStatus = z.output<typeof memberStatusSchema>;
export type EtcdClusterUpgrade = NonNullable<EtcdClusterStatus['upgrade']>;
export type EtcdClusterCondition = NonNullable<EtcdClusterStatus['conditions']>[number];

/** An EtcdCluster as the API server returns it; throws EtcdResourceError naming every offending field. */
export function parseEtcdCluster(value: unknown): EtcdCluster {
  return parseEtcdResource(ETCD_CLUSTER.kind, etcdClusterSchema, value);
}
