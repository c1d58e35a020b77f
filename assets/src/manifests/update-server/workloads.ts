import type {
  V1Deployment,
  V1EnvVar,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Probe,
  V1Secret,
  V1Service,
} from '@kubernetes/client-node';
import { UPDATE_SERVER_DATA_DIR } from '../../render/catalog/node-files.ts';
import { linuxNodes } from '../node-agents.ts';
import { UPDATE_SERVER_NAMES, UPDATE_SERVER_NAMESPACE, UPDATE_SERVER_PORTS } from './names.ts';
import { nonrootPodSecurityContext } from '../pod-security.ts';

export const UPDATE_SERVER_POD_LABELS = {
  'app.kubernetes.io/name': UPDATE_SERVER_NAMES.server,
  'app.kubernetes.io/part-of': 'strata',
};

/** Where the server finds its serving certificate (the Secret, read-only) and keeps its database (the claim). */
export const UPDATE_SERVER_MOUNTS = {
  tls: { volume: 'tls', dir: '/etc/strata/update-server-tls', certFile: 'tls.crt', keyFile: 'tls.key' },
  data: { volume: 'data', dir: UPDATE_SERVER_DATA_DIR.path, database: 'updates.db' },
} as const;

/** The serving certificate and key (PEM), issued by the cluster CA at render time. */
export interface UpdateServerTls {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface UpdateServerPlacement {
  /** The node (a controller) the one replica runs on, by `kubernetes.io/hostname`: update.conf's SERVER= names it. */
  readonly nodeName: string;
  readonly tls: UpdateServerTls;
  /** The data volume's size (a local volume: a label for the scheduler, not a quota). */
  readonly storage?: string;
}

/** Room for the history of some tens of thousands of machines over the default 90-day retention. */
export const UPDATE_SERVER_DEFAULT_STORAGE = '1Gi';

const fieldEnv = (name: string, fieldPath: string): V1EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });

/** `data` rather than `stringData`: the API server moves stringData into data on every write, so only data lets a re-apply be a no-op. */
export function updateServerTlsSecret(tls: UpdateServerTls): V1Secret {
  const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
  const { certFile, keyFile } = UPDATE_SERVER_MOUNTS.tls;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name: UPDATE_SERVER_NAMES.tlsSecret, namespace: UPDATE_SERVER_NAMESPACE },
    data: { [certFile]: base64(tls.certPem), [keyFile]: base64(tls.keyPem) },
  };
}

/**
 * The SQLite database on the pinned controller's disk: a `local` PersistentVolume on the directory Ignition made
 * there, bound in advance to the server's claim. No StorageClass or provisioner is needed, on any platform, and the
 * machines and their history outlive every pod.
 */
export function updateServerDataVolume(
  placement: UpdateServerPlacement,
): [V1PersistentVolume, V1PersistentVolumeClaim] {
  const storage = placement.storage ?? UPDATE_SERVER_DEFAULT_STORAGE;
  const volume: V1PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: UPDATE_SERVER_NAMES.dataVolume, labels: UPDATE_SERVER_POD_LABELS },
    spec: {
      capacity: { storage },
      accessModes: ['ReadWriteOnce'],
      // The machines' records are the server's only state: never deleted with the claim.
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: '',
      volumeMode: 'Filesystem',
      local: { path: UPDATE_SERVER_DATA_DIR.path },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [placement.nodeName] }] },
          ],
        },
      },
      claimRef: { namespace: UPDATE_SERVER_NAMESPACE, name: UPDATE_SERVER_NAMES.dataClaim },
    },
  };
  const claim: V1PersistentVolumeClaim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: UPDATE_SERVER_NAMES.dataClaim,
      namespace: UPDATE_SERVER_NAMESPACE,
      labels: UPDATE_SERVER_POD_LABELS,
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      // No class: the cluster's default StorageClass (if any) must not provision another volume for it.
      storageClassName: '',
      volumeName: UPDATE_SERVER_NAMES.dataVolume,
      resources: { requests: { storage } },
    },
  };
  return [volume, claim];
}

const tcpProbe = (failureThreshold: number): V1Probe => ({
  // A TCP probe: every HTTP path but the Omaha endpoint and the authenticated API is a 404 by design.
  tcpSocket: { port: 'https' },
  periodSeconds: 10,
  timeoutSeconds: 3,
  failureThreshold,
});

/**
 * One replica on SQLite (ADR 0048): pinned to one controller, on that node's host network at a fixed port, which
 * is where every machine's update.conf points; its database on that controller's disk; Recreate, since two pods
 * could hold neither the port nor the database at once.
 */
export function updateServerDeployment(image: string, placement: UpdateServerPlacement): V1Deployment {
  const { tls, data } = UPDATE_SERVER_MOUNTS;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: UPDATE_SERVER_NAMES.server,
      namespace: UPDATE_SERVER_NAMESPACE,
      labels: UPDATE_SERVER_POD_LABELS,
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: UPDATE_SERVER_POD_LABELS },
      strategy: { type: 'Recreate' },
      template: {
        metadata: { labels: UPDATE_SERVER_POD_LABELS },
        spec: {
          serviceAccountName: UPDATE_SERVER_NAMES.server,
          // Machines ask without cluster DNS or kube-proxy: the node's own address, named in every update.conf.
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          nodeSelector: { ...linuxNodes(), 'kubernetes.io/hostname': placement.nodeName },
          tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
          securityContext: nonrootPodSecurityContext({ readsSecretFiles: true }),
          volumes: [
            { name: tls.volume, secret: { secretName: UPDATE_SERVER_NAMES.tlsSecret, defaultMode: 0o440 } },
            { name: data.volume, persistentVolumeClaim: { claimName: UPDATE_SERVER_NAMES.dataClaim } },
          ],
          containers: [
            {
              name: 'server',
              image,
              args: [
                'run',
                `--lease-namespace=${UPDATE_SERVER_NAMESPACE}`,
                // The node's address only (hostNetwork): nothing else on the host is offered the port.
                '--host=$(POD_IP)',
                `--port=${UPDATE_SERVER_PORTS.https}`,
                `--tls-cert-file=${tls.dir}/${tls.certFile}`,
                `--tls-key-file=${tls.dir}/${tls.keyFile}`,
                `--sqlite-path=${data.dir}/${data.database}`,
              ],
              env: [
                fieldEnv('POD_NAME', 'metadata.name'),
                fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
                fieldEnv('POD_IP', 'status.podIP'),
              ],
              ports: [{ name: 'https', containerPort: UPDATE_SERVER_PORTS.https, protocol: 'TCP' }],
              livenessProbe: tcpProbe(6),
              readinessProbe: tcpProbe(3),
              resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '512Mi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: tls.volume, mountPath: tls.dir, readOnly: true },
                { name: data.volume, mountPath: data.dir },
              ],
            },
          ],
        },
      },
    },
  };
}

/** The JSON API for people and scripts inside the cluster (the console, `strata update` through a proxy). */
export function updateServerService(): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: UPDATE_SERVER_NAMES.server,
      namespace: UPDATE_SERVER_NAMESPACE,
      labels: UPDATE_SERVER_POD_LABELS,
    },
    spec: {
      selector: UPDATE_SERVER_POD_LABELS,
      ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }],
    },
  };
}
