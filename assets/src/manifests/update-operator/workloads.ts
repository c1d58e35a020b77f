import { posix } from 'node:path';
import { HOST_FILES, UPDATE_AGENT_HOST_USER } from '@strata/api';
import type { V1Container, V1DaemonSet, V1Deployment, V1EnvVar, V1Probe } from '@kubernetes/client-node';
import { linuxNodes, tolerateEverything } from '../node-agents.ts';
import { FLEETLOCK_TLS_MOUNT } from './fleetlock-tls.ts';
import { UPDATE_OPERATOR_NAMESPACE, UPDATE_OPERATOR_NAMES, UPDATE_OPERATOR_PORTS } from './names.ts';
import { nonrootPodSecurityContext } from '../pod-security.ts';

export const OPERATOR_POD_LABELS = {
  'app.kubernetes.io/name': UPDATE_OPERATOR_NAMES.operator,
  'app.kubernetes.io/part-of': 'strata',
};
export const AGENT_POD_LABELS = {
  'app.kubernetes.io/name': UPDATE_OPERATOR_NAMES.agent,
  'app.kubernetes.io/part-of': 'strata',
};

/**
 * Where the agent finds the host: the system D-Bus (update_engine, logind) at its usual place, and the host files it
 * reads (boot ID, os-release, Flatcar's update.conf) under `root`, as the host's own paths (e.g.
 * /host/etc/os-release), so they cannot be confused with the container's. Both are also in the agent's environment:
 * HOST_ROOT and DBUS_SYSTEM_BUS_ADDRESS.
 */
export const AGENT_HOST_PATHS = {
  root: '/host',
  dbusSocket: '/run/dbus/system_bus_socket',
} as const;

/** Host paths the agent reads, each mounted read-only at AGENT_HOST_PATHS.root + path. */
const AGENT_HOST_FILES = [
  { name: 'boot-id', path: HOST_FILES.bootId, type: 'File' },
  // A symlink into /usr on Flatcar; the mount follows it.
  { name: 'os-release', path: HOST_FILES.osRelease, type: 'File' },
  // The OS image's update.conf defaults (/usr/share/flatcar). /usr is the read-only, public OS image; mounting it
  // whole works on Fedora CoreOS too, which has no /usr/share/flatcar that a narrower mount could name.
  { name: 'usr', path: '/usr', type: 'Directory' },
  // The machine's update.conf overrides. Created empty where absent (Fedora CoreOS), which changes nothing.
  { name: 'etc-flatcar', path: posix.dirname(HOST_FILES.updateConf), type: 'DirectoryOrCreate' },
] as const;

/** The operator container's memory limit. */
const UPDATE_OPERATOR_MEMORY_LIMIT_MIB = 512;
/**
 * The ceiling of V8's old generation: three quarters of the container's limit, the rest for what lies outside V8's
 * heap (the Node binary's code, TLS and socket buffers, malloc). A ceiling under the default also makes V8 grow its
 * heap less between full collections (ADR 0080).
 */
const UPDATE_OPERATOR_OLD_SPACE_MIB = (UPDATE_OPERATOR_MEMORY_LIMIT_MIB * 3) / 4;

/**
 * The operator process's own settings, V8's and glibc's, as its pods set them (measured in
 * operators/update-operator/docs/benchmarks.md); its benchmarks start it with the same.
 */
export const UPDATE_OPERATOR_PROCESS_ENV = {
  NODE_OPTIONS: `--max-semi-space-size=2 --max-old-space-size=${UPDATE_OPERATOR_OLD_SPACE_MIB}`,
  MALLOC_ARENA_MAX: '2',
} as const;

/** The startup probe's patience: 60 tries 5 s apart, five minutes for the process to listen. */
const STARTUP_PROBE_PERIOD_S = 5;
const STARTUP_PROBE_FAILURES = 60;

const fieldEnv = (name: string, fieldPath: string): V1EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });

const probe = (path: string, failureThreshold: number): V1Probe => ({
  httpGet: { path, port: 'metrics', scheme: 'HTTP' },
  periodSeconds: 10,
  timeoutSeconds: 3,
  failureThreshold,
});

const hardenedContainer: Pick<V1Container, 'securityContext'> = {
  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
};

/**
 * The operator: two replicas, one leading (Lease), the other standing by on another node where it can. With `tls`,
 * FleetLock is served over HTTPS with the certificate of the Secret UPDATE_OPERATOR_NAMES.fleetLockTlsSecret, mounted
 * read-only; without, over plain HTTP.
 */
export function operatorDeployment(image: string, options: { readonly tls: boolean }): V1Deployment {
  const { metrics, fleetLock, fleetLockHostPort } = UPDATE_OPERATOR_PORTS;
  const { volume, dir, certFile, keyFile } = FLEETLOCK_TLS_MOUNT;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: UPDATE_OPERATOR_NAMES.operator,
      namespace: UPDATE_OPERATOR_NAMESPACE,
      labels: OPERATOR_POD_LABELS,
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: OPERATOR_POD_LABELS },
      // Two pods cannot hold the FleetLock host port on one node: a rollout replaces a replica instead of adding one.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
      template: {
        metadata: { labels: OPERATOR_POD_LABELS },
        spec: {
          serviceAccountName: UPDATE_OPERATOR_NAMES.operator,
          nodeSelector: linuxNodes(),
          // Zincati reaches FleetLock on the controllers (the API's DNS name), so that is where the replicas belong.
          tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
          affinity: {
            // Preferred, not required: a cluster with one controller still runs its second replica elsewhere.
            nodeAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  preference: {
                    matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }],
                  },
                },
              ],
            },
            // Preferred, not required: a one-node cluster still gets both replicas.
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    labelSelector: { matchLabels: OPERATOR_POD_LABELS },
                    topologyKey: 'kubernetes.io/hostname',
                  },
                },
              ],
            },
          },
          securityContext: nonrootPodSecurityContext({ readsSecretFiles: options.tls }),
          ...(options.tls
            ? {
                volumes: [
                  {
                    name: volume,
                    secret: { secretName: UPDATE_OPERATOR_NAMES.fleetLockTlsSecret, defaultMode: 0o440 },
                  },
                ],
              }
            : {}),
          containers: [
            {
              name: 'operator',
              image,
              args: [
                'operator',
                `--namespace=${UPDATE_OPERATOR_NAMESPACE}`,
                `--lease-name=${UPDATE_OPERATOR_NAMES.lease}`,
                // The pod's own address rather than 0.0.0.0: where pods share the host's network (the local
                // platform's process pods, hostNetwork) two replicas on one host must not collide.
                `--metrics-address=$(POD_IP):${metrics}`,
                `--fleetlock-address=$(POD_IP):${fleetLock}`,
                ...(options.tls
                  ? [`--fleetlock-cert-file=${dir}/${certFile}`, `--fleetlock-key-file=${dir}/${keyFile}`]
                  : []),
              ],
              // POD_NAME is the replica's identity in the Lease; NODE_NAME is the node its leader reboots last.
              env: [
                fieldEnv('POD_NAME', 'metadata.name'),
                fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
                fieldEnv('POD_IP', 'status.podIP'),
                fieldEnv('NODE_NAME', 'spec.nodeName'),
                // V8's young generation at 2 MiB a semi-space instead of 16: about 30 MiB less resident memory
                // from the start, for a process that allocates little per second (ADR 0075). Its old generation
                // under a ceiling within the container's limit: by default V8 let the leader's heap reach three
                // times what was alive before collecting it, 90 of 31 MiB at 1000 nodes (ADR 0080).
                { name: 'NODE_OPTIONS', value: UPDATE_OPERATOR_PROCESS_ENV.NODE_OPTIONS },
                // glibc makes up to 8 malloc arenas per core for Node's threads (libuv's pool, V8's workers), and
                // memory freed into one is not given to another: two bound the leader's memory outside the heap
                // (ADR 0077).
                { name: 'MALLOC_ARENA_MAX', value: UPDATE_OPERATOR_PROCESS_ENV.MALLOC_ARENA_MAX },
              ],
              ports: [
                { name: 'metrics', containerPort: metrics, protocol: 'TCP' },
                // A host port rather than a NodePort (which every node would open, and whose kube-proxy rules
                // rewrite the source address) or hostNetwork (the whole host's network for one port): portmap's DNAT
                // keeps the caller's address, which the server checks against the node the request names.
                { name: 'fleetlock', containerPort: fleetLock, hostPort: fleetLockHostPort, protocol: 'TCP' },
              ],
              // The start is the startup probe's: liveness (a minute of failures) begins once the replica has
              // answered once. A node that starts the process slowly (one under load, or the machine lab's emulated
              // ones, which took over a minute to load it) would otherwise have it killed before it listens, again
              // and again.
              startupProbe: { ...probe('/healthz', STARTUP_PROBE_FAILURES), periodSeconds: STARTUP_PROBE_PERIOD_S },
              livenessProbe: probe('/healthz', 6),
              readinessProbe: probe('/readyz', 3),
              // The leader of a 1000-node rollout peaked at 374 MiB resident (operators/update-operator/docs/
              // benchmarks.md): a 256 MiB limit would have the kernel kill the leader mid-rollout, the very handover
              // ADR 0075 avoids.
              resources: {
                requests: { cpu: '50m', memory: '96Mi' },
                limits: { memory: `${UPDATE_OPERATOR_MEMORY_LIMIT_MIB}Mi` },
              },
              ...hardenedContainer,
              ...(options.tls ? { volumeMounts: [{ name: volume, mountPath: dir, readOnly: true }] } : {}),
            },
          ],
        },
      },
    },
  };
}

/**
 * The node agent on every node, controllers included. It runs as its own host user (UPDATE_AGENT_HOST_USER, which
 * the node's Ignition creates), without capabilities: the node's D-Bus policy and polkit rule let that user ask
 * update_engine for its status and logind for a reboot, and nothing else. It needs neither the host's PID namespace
 * nor its network.
 */
export function agentDaemonSet(image: string): V1DaemonSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: UPDATE_OPERATOR_NAMES.agent, namespace: UPDATE_OPERATOR_NAMESPACE, labels: AGENT_POD_LABELS },
    spec: {
      selector: { matchLabels: AGENT_POD_LABELS },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels: AGENT_POD_LABELS },
        spec: {
          serviceAccountName: UPDATE_OPERATOR_NAMES.agent,
          // hostPID and hostNetwork stay at their default, false: the API server would not keep an explicit false.
          nodeSelector: linuxNodes(),
          // A cordoned or tainted node is exactly where the agent must keep running.
          tolerations: tolerateEverything(),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: UPDATE_AGENT_HOST_USER.uid,
            runAsGroup: UPDATE_AGENT_HOST_USER.gid,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'agent',
              image,
              args: ['agent', '--os=dbus'],
              env: [
                fieldEnv('NODE_NAME', 'spec.nodeName'),
                { name: 'HOST_ROOT', value: AGENT_HOST_PATHS.root },
                { name: 'DBUS_SYSTEM_BUS_ADDRESS', value: `unix:path=${AGENT_HOST_PATHS.dbusSocket}` },
              ],
              resources: { requests: { cpu: '10m', memory: '48Mi' }, limits: { memory: '160Mi' } },
              ...hardenedContainer,
              volumeMounts: [
                // A socket on a read-only mount still accepts connections: the kernel refuses writes to files, not connect().
                { name: 'dbus', mountPath: AGENT_HOST_PATHS.dbusSocket, readOnly: true },
                ...AGENT_HOST_FILES.map(({ name, path }) => ({
                  name,
                  mountPath: `${AGENT_HOST_PATHS.root}${path}`,
                  readOnly: true,
                })),
              ],
            },
          ],
          volumes: [
            { name: 'dbus', hostPath: { path: AGENT_HOST_PATHS.dbusSocket, type: 'Socket' } },
            ...AGENT_HOST_FILES.map(({ name, path, type }) => ({ name, hostPath: { path, type } })),
          ],
        },
      },
    },
  };
}
