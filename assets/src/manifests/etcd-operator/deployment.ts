import type { V1Deployment, V1EnvVar } from '@kubernetes/client-node';
import { POD_ANNOTATIONS } from '@strata/api';
import { linuxNodes } from '../node-agents.ts';
import { ETCD_OPERATOR_METRICS_PORT, ETCD_OPERATOR_NAMES, ETCD_OPERATOR_NAMESPACE } from './names.ts';
import { nonrootPodSecurityContext } from '../pod-security.ts';

/** Where the operator stages a snapshot before it is stored (an emptyDir). */
const BACKUP_SCRATCH_DIR = '/var/lib/etcd-operator/scratch';

export const ETCD_OPERATOR_POD_LABELS = {
  'app.kubernetes.io/name': ETCD_OPERATOR_NAMES.operator,
  'app.kubernetes.io/part-of': 'strata',
};

// The distroless base image's `nonroot` user.

const fieldEnv = (name: string, fieldPath: string): V1EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });

/** Two replicas, one leading on the Lease, the other standing by on another node where it can. */
export function etcdOperatorDeployment(image: string): V1Deployment {
  const probe = (path: string, failureThreshold: number) => ({
    httpGet: { path, port: 'metrics', scheme: 'HTTP' },
    periodSeconds: 10,
    timeoutSeconds: 3,
    failureThreshold,
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: ETCD_OPERATOR_NAMES.operator,
      namespace: ETCD_OPERATOR_NAMESPACE,
      labels: ETCD_OPERATOR_POD_LABELS,
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: ETCD_OPERATOR_POD_LABELS },
      template: {
        metadata: {
          labels: ETCD_OPERATOR_POD_LABELS,
          // Staged snapshots are copies on their way to the store: an OS update's drain may evict the pod with them.
          annotations: { [POD_ANNOTATIONS.scratchVolumes]: 'backup-scratch' },
        },
        spec: {
          serviceAccountName: ETCD_OPERATOR_NAMES.operator,
          nodeSelector: linuxNodes(),
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    labelSelector: { matchLabels: ETCD_OPERATOR_POD_LABELS },
                    topologyKey: 'kubernetes.io/hostname',
                  },
                },
              ],
            },
          },
          securityContext: nonrootPodSecurityContext({ readsSecretFiles: false }),
          volumes: [{ name: 'backup-scratch', emptyDir: {} }],
          containers: [
            {
              name: 'operator',
              image,
              args: [
                'run',
                `--lease-namespace=${ETCD_OPERATOR_NAMESPACE}`,
                // The joining members' init containers run the operator's own image.
                `--image=${image}`,
                // The pod's own address rather than 0.0.0.0: where pods share the host's network (the local
                // platform's process pods) two replicas on one host must not collide.
                '--metrics-host=$(POD_IP)',
                `--metrics-port=${ETCD_OPERATOR_METRICS_PORT}`,
                // The root file system is read-only: snapshots are staged on a volume of their own.
                `--backup-scratch-dir=${BACKUP_SCRATCH_DIR}`,
              ],
              volumeMounts: [{ name: 'backup-scratch', mountPath: BACKUP_SCRATCH_DIR }],
              env: [
                fieldEnv('POD_NAME', 'metadata.name'),
                fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
                fieldEnv('POD_IP', 'status.podIP'),
              ],
              ports: [{ name: 'metrics', containerPort: ETCD_OPERATOR_METRICS_PORT, protocol: 'TCP' }],
              livenessProbe: probe('/healthz', 6),
              readinessProbe: probe('/readyz', 3),
              resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '256Mi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
            },
          ],
        },
      },
    },
  };
}
