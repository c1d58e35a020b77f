// The pod of one etcd member. Its etcd listens on the pod's own IP; a joining pod first runs the operator's
// `await-member` in an init container, so that etcd starts only once its learner has been added (etcd refuses to
// join a cluster that does not list it yet).
import { randomBytes } from 'node:crypto';
import type { V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { ETCD_CLUSTER, type EtcdCluster } from '@strata/api';
import { CLIENT_PORT, PEER_PORT, type MemberView } from '../plan/observed.ts';
import { memberPodTls } from '../tls/member-pod-tls.ts';
import type { SeedSource } from '../restore/seed-source.ts';
import { seedContainers } from './seed-containers.ts';

export const CLUSTER_LABEL = 'etcd.strata.dev/cluster';
export const INITIAL_STATE_ANNOTATION = 'etcd.strata.dev/initial-cluster-state';
export const ETCD_CONTAINER = 'etcd';
/** The etcd release a member's pod runs (its image's tag, in the spec's form). */
export const VERSION_ANNOTATION = 'etcd.strata.dev/version';
/** On the pod of a member restarted with --force-new-cluster: the token of the re-forming (../reform/). */
export const FORCE_NEW_CLUSTER_ANNOTATION = 'etcd.strata.dev/force-new-cluster';
/** On a member's PersistentVolumeClaim: the member (and pod) whose data it holds. */
export const MEMBER_LABEL = 'etcd.strata.dev/member';
/**
 * On a member's claim: the UID of the EtcdCluster it was made for. Claims kept from a deleted EtcdCluster of the same
 * name are another cluster's data, which the new one neither revives nor deletes.
 */
export const CLUSTER_UID_LABEL = 'etcd.strata.dev/cluster-uid';
const DATA_DIR = '/var/lib/etcd';

/** The pod's labels: what the operator's pod informer and the PodDisruptionBudget select. */
export const memberLabels = (cluster: string): Record<string, string> => ({
  [CLUSTER_LABEL]: cluster,
  'app.kubernetes.io/name': 'etcd',
  'app.kubernetes.io/managed-by': 'strata-etcd-operator',
});

/** A member name never used before: a new member never takes an old one's name (nor its data). */
export const newMemberName = (cluster: string): string => `${cluster}-${randomBytes(3).toString('hex')}`;

export type PvcStorage = NonNullable<EtcdCluster['spec']['storage']['pvc']>;

/** The claim of a member's data, as a StatefulSet names it: `data-<pod>`. */
export const claimNameOf = (member: string): string => `data-${member}`;

/** The EtcdCluster as the controlling owner of what the operator creates for it: deleted with it. */
export const ownerOf = (cluster: EtcdCluster) => ({
  apiVersion: ETCD_CLUSTER.apiVersion,
  kind: ETCD_CLUSTER.kind,
  name: cluster.metadata.name,
  uid: cluster.metadata.uid ?? '',
  controller: true,
  blockOwnerDeletion: true,
});

/**
 * The PersistentVolumeClaim of member `name`, from `spec.storage.pvc`. Owned by the EtcdCluster (and so deleted with
 * it) only when `retainOnDelete` is false: by default a deleted EtcdCluster leaves its members' data behind.
 */
export function memberClaim(cluster: EtcdCluster, pvc: PvcStorage, name: string): V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: claimNameOf(name),
      namespace: cluster.metadata.namespace,
      labels: {
        ...memberLabels(cluster.metadata.name),
        [MEMBER_LABEL]: name,
        [CLUSTER_UID_LABEL]: cluster.metadata.uid ?? '',
      },
      ...(pvc.retainOnDelete ? {} : { ownerReferences: [ownerOf(cluster)] }),
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      ...(pvc.storageClassName === undefined ? {} : { storageClassName: pvc.storageClassName }),
      resources: { requests: { storage: pvc.size } },
    },
  };
}

/** The image of an etcd release in `repository`, tagged as that repository tags it. */
export function etcdImage(repository: string, version: string): string {
  return repository === 'registry.k8s.io/etcd' ? `${repository}:${version}-0` : `${repository}:v${version}`;
}

export interface MemberPodOptions {
  readonly cluster: EtcdCluster;
  readonly name: string;
  /**
   * The founding member, one that joins the given members, or a member restarted on its surviving claim (its data
   * directory holds its identity, so etcd ignores the initial-cluster flags).
   */
  readonly join:
    | { readonly state: 'new' }
    | { readonly state: 'existing'; readonly members: readonly MemberView[] }
    | { readonly state: 'restart' };
  /** The operator's own image, whose `await-member` the init container of a joining pod runs. */
  readonly operatorImage: string;
  /** The etcd release to run: the spec's, or during an upgrade the one this member is at. */
  readonly version: string;
  /** A restored cluster's founding member (join.state new): seeded from this verified snapshot before etcd starts. */
  readonly seed?: SeedSource;
  /**
   * A member restarted on its data (join.state restart) as a one-member cluster (`--force-new-cluster`), for the
   * re-forming with this token; only ever until it leads, then its pod is recreated without the flag.
   */
  readonly forceNewCluster?: string;
}

export function memberPod(options: MemberPodOptions): V1Pod {
  const { cluster, name, join } = options;
  const clusterName = cluster.metadata.name;
  const template = cluster.spec.podTemplate;
  const env = [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
  ];
  const tls = memberPodTls(cluster, options.version, options.operatorImage, env);
  const SELF_PEER_URL = `${tls.scheme}://$(POD_IP):${PEER_PORT}`;
  const initialCluster = [
    ...(join.state === 'existing' ? join.members.map((member) => `${member.name}=${member.peerURLs[0] ?? ''}`) : []),
    `$(POD_NAME)=${SELF_PEER_URL}`,
  ].join(',');
  const initialState = join.state === 'new' ? 'new' : 'existing';
  const awaitMember =
    join.state === 'existing'
      ? [
          {
            name: 'await-member',
            image: options.operatorImage,
            args: [
              'await-member',
              `--endpoints=${join.members.flatMap((member) => member.clientURLs).join(',')}`,
              `--peer-url=${SELF_PEER_URL}`,
              ...tls.awaitMemberArgs,
            ],
            env,
            ...(tls.awaitMemberMounts.length === 0 ? {} : { volumeMounts: [...tls.awaitMemberMounts] }),
          },
        ]
      : [];
  const image = etcdImage(cluster.spec.repository, options.version);
  const force = join.state === 'restart' ? options.forceNewCluster : undefined;
  const volumeName = 'data';
  const seed =
    options.seed === undefined || join.state !== 'new'
      ? undefined
      : seedContainers({
          source: options.seed,
          cluster: clusterName,
          operatorImage: options.operatorImage,
          etcdImage: image,
          dataDir: DATA_DIR,
          dataVolume: volumeName,
          peerURL: SELF_PEER_URL,
          env,
        });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: cluster.metadata.namespace,
      labels: { ...template?.labels, ...memberLabels(clusterName) },
      annotations: {
        ...template?.annotations,
        [INITIAL_STATE_ANNOTATION]: initialState,
        [VERSION_ANNOTATION]: options.version,
        ...seed?.annotations,
        ...(force === undefined ? {} : { [FORCE_NEW_CLUSTER_ANNOTATION]: force }),
      },
      ownerReferences: [ownerOf(cluster)],
    },
    spec: {
      hostname: name,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 10,
      ...(template?.nodeSelector === undefined ? {} : { nodeSelector: template.nodeSelector }),
      ...(template?.affinity === undefined ? {} : { affinity: template.affinity }),
      ...(template?.tolerations === undefined ? {} : { tolerations: template.tolerations }),
      ...(tls.serviceAccountName === undefined
        ? {}
        : { serviceAccountName: tls.serviceAccountName, automountServiceAccountToken: false }),
      initContainers: [...tls.firstInitContainers, ...awaitMember, ...(seed?.initContainers ?? [])],
      containers: [
        {
          name: ETCD_CONTAINER,
          image,
          command: [
            'etcd',
            '--name=$(POD_NAME)',
            `--data-dir=${DATA_DIR}`,
            `--listen-client-urls=${tls.scheme}://$(POD_IP):${CLIENT_PORT}`,
            `--advertise-client-urls=${tls.scheme}://$(POD_IP):${CLIENT_PORT}`,
            `--listen-peer-urls=${SELF_PEER_URL}`,
            `--initial-advertise-peer-urls=${SELF_PEER_URL}`,
            `--initial-cluster=${initialCluster}`,
            `--initial-cluster-state=${initialState}`,
            `--initial-cluster-token=${clusterName}-${cluster.metadata.uid ?? ''}`,
            ...(cluster.spec.quotaBackendBytes === undefined
              ? []
              : [`--quota-backend-bytes=${cluster.spec.quotaBackendBytes}`]),
            ...tls.etcdFlags,
            ...(force === undefined ? [] : ['--force-new-cluster']),
          ],
          env,
          ports: [
            { name: 'client', containerPort: CLIENT_PORT },
            { name: 'peer', containerPort: PEER_PORT },
          ],
          readinessProbe: {
            httpGet: { path: '/readyz', port: tls.probe.port, scheme: tls.probe.scheme },
            periodSeconds: 2,
            failureThreshold: 2,
          },
          ...(template?.resources === undefined ? {} : { resources: template.resources }),
          volumeMounts: [{ name: volumeName, mountPath: DATA_DIR }, ...tls.etcdMounts],
        },
      ],
      volumes: [
        cluster.spec.storage.pvc === undefined
          ? { name: volumeName, emptyDir: { ...cluster.spec.storage.emptyDir } }
          : { name: volumeName, persistentVolumeClaim: { claimName: claimNameOf(name) } },
        ...tls.volumes,
        ...(seed?.volumes ?? []),
      ],
    },
  };
}
