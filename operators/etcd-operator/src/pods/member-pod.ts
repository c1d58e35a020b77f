// The pod of one etcd member. Its etcd listens on the pod's own IP; a joining pod first runs the operator's
// `await-member` in an init container, so that etcd starts only once its learner has been added (etcd refuses to
// join a cluster that does not list it yet).
import { randomBytes } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import { ETCD_CLUSTER, type EtcdCluster } from '@strata/api';
import { CLIENT_PORT, PEER_PORT, type MemberView } from '../plan/observed.ts';

export const CLUSTER_LABEL = 'etcd.strata.dev/cluster';
export const INITIAL_STATE_ANNOTATION = 'etcd.strata.dev/initial-cluster-state';
export const ETCD_CONTAINER = 'etcd';
const DATA_DIR = '/var/lib/etcd';

/** The pod's labels: what the operator's pod informer and the PodDisruptionBudget select. */
export const memberLabels = (cluster: string): Record<string, string> => ({
  [CLUSTER_LABEL]: cluster,
  'app.kubernetes.io/name': 'etcd',
  'app.kubernetes.io/managed-by': 'strata-etcd-operator',
});

/** A member name never used before: a new member never takes an old one's name (nor its data). */
export const newMemberName = (cluster: string): string => `${cluster}-${randomBytes(3).toString('hex')}`;

/** The image of an etcd release in `repository`, tagged as that repository tags it. */
export function etcdImage(repository: string, version: string): string {
  return repository === 'registry.k8s.io/etcd' ? `${repository}:${version}-0` : `${repository}:v${version}`;
}

export interface MemberPodOptions {
  readonly cluster: EtcdCluster;
  readonly name: string;
  /** The founding member, or one that joins the given members. */
  readonly join: { readonly state: 'new' } | { readonly state: 'existing'; readonly members: readonly MemberView[] };
  /** The operator's own image, whose `await-member` the init container of a joining pod runs. */
  readonly operatorImage: string;
}

const SELF_PEER_URL = `http://$(POD_IP):${PEER_PORT}`;

export function memberPod(options: MemberPodOptions): V1Pod {
  const { cluster, name, join } = options;
  const clusterName = cluster.metadata.name;
  const template = cluster.spec.podTemplate;
  const initialCluster = [
    ...(join.state === 'existing' ? join.members.map((member) => `${member.name}=${member.peerURLs[0] ?? ''}`) : []),
    `$(POD_NAME)=${SELF_PEER_URL}`,
  ].join(',');
  const env = [
    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
  ];
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
            ],
            env,
          },
        ]
      : [];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: cluster.metadata.namespace,
      labels: { ...template?.labels, ...memberLabels(clusterName) },
      annotations: { ...template?.annotations, [INITIAL_STATE_ANNOTATION]: join.state },
      ownerReferences: [
        {
          apiVersion: ETCD_CLUSTER.apiVersion,
          kind: ETCD_CLUSTER.kind,
          name: clusterName,
          uid: cluster.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      hostname: name,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 10,
      ...(template?.nodeSelector === undefined ? {} : { nodeSelector: template.nodeSelector }),
      ...(template?.affinity === undefined ? {} : { affinity: template.affinity }),
      ...(template?.tolerations === undefined ? {} : { tolerations: template.tolerations }),
      initContainers: awaitMember,
      containers: [
        {
          name: ETCD_CONTAINER,
          image: etcdImage(cluster.spec.repository, cluster.spec.version),
          command: [
            'etcd',
            '--name=$(POD_NAME)',
            `--data-dir=${DATA_DIR}`,
            `--listen-client-urls=http://$(POD_IP):${CLIENT_PORT}`,
            `--advertise-client-urls=http://$(POD_IP):${CLIENT_PORT}`,
            `--listen-peer-urls=${SELF_PEER_URL}`,
            `--initial-advertise-peer-urls=${SELF_PEER_URL}`,
            `--initial-cluster=${initialCluster}`,
            `--initial-cluster-state=${join.state}`,
            `--initial-cluster-token=${clusterName}-${cluster.metadata.uid ?? ''}`,
          ],
          env,
          ports: [
            { name: 'client', containerPort: CLIENT_PORT },
            { name: 'peer', containerPort: PEER_PORT },
          ],
          readinessProbe: { httpGet: { path: '/readyz', port: CLIENT_PORT }, periodSeconds: 2, failureThreshold: 2 },
          ...(template?.resources === undefined ? {} : { resources: template.resources }),
          volumeMounts: [{ name: 'data', mountPath: DATA_DIR }],
        },
      ],
      // Only emptyDir runs today; a PVC-backed member mounts its claim here instead (see README).
      volumes: [{ name: 'data', emptyDir: { ...cluster.spec.storage.emptyDir } }],
    },
  };
}
