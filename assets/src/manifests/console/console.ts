// The web console in the cluster (issue 16): a Deployment and a Service in strata-console, with no ServiceAccount
// token and no RBAC of its own. The console acts only with its signed-in users' tokens (ADR 0039), so the pod needs
// nothing from the API server but its address and CA, which every namespace's kube-root-ca.crt ConfigMap carries
// (the address from KUBERNETES_SERVICE_HOST and _PORT, as client-go's in-cluster config). Browsers reach its one
// replica on the first controller's host network at a fixed port (ADR 0070), as machines reach the update server.
import type { KubernetesObject, V1Deployment, V1Probe, V1Secret, V1Service } from '@kubernetes/client-node';
import { POD_ANNOTATIONS, StrataError } from '@strata/api';
import { STRATA_CONSOLE_NAMESPACE } from '../namespaces.ts';
import { nonrootPodSecurityContext } from '../pod-security.ts';

/** Strata's web console: the Next.js server behind the console's own HTTPS front (`console serve`). */
export const CONSOLE_IMAGE = 'ghcr.io/strata-dev/console:v0.1.0';

export const CONSOLE_NAMESPACE = STRATA_CONSOLE_NAMESPACE;

export const CONSOLE_NAMES = {
  /** The Deployment and the Service. */
  console: 'console',
  /** The kubernetes.io/tls Secret with the serving certificate the cluster CA issued. */
  tlsSecret: 'console-tls',
  /** The Secret holding the key that seals session cookies (every replica must share it). */
  sessionSecret: 'console-session',
} as const;

/**
 * The HTTPS port on the controller's address (host network), in the NodePort range beside the update server's 30779:
 * browsers reach `https://<first controller>:30443`; the Service answers on 443 inside the cluster.
 */
export const CONSOLE_CONTAINER_PORT = 30443;

/** Answered by the HTTPS front itself, before the session gate: liveness and readiness need no sign-in. */
export const CONSOLE_HEALTH_PATH = '/healthz';

export const CONSOLE_POD_LABELS = {
  'app.kubernetes.io/name': CONSOLE_NAMES.console,
  'app.kubernetes.io/part-of': 'strata',
};

export const CONSOLE_MOUNTS = {
  tls: { volume: 'tls', dir: '/etc/strata/console-tls', certFile: 'tls.crt', keyFile: 'tls.key' },
  apiCa: { volume: 'kube-api-ca', dir: '/etc/strata/kube-api-ca', file: 'ca.crt' },
  /** Next.js writes its cache under the build; the root file system is read-only, so a scratch directory. */
  scratch: { volume: 'scratch', dir: '/tmp' },
} as const;

/** The key in the session Secret (and the environment variable the console reads). */
const SESSION_KEY = 'session-secret';

// The distroless base image's `nonroot` user.

export interface ConsoleManifestInput {
  readonly image?: string;
  /** The node (a controller) the one replica runs on, by `kubernetes.io/hostname`: the printed URL names it. */
  readonly nodeName: string;
  /** The serving certificate and key (PEM) from the cluster CA, for the Service's DNS names. */
  readonly tls: { readonly certPem: string; readonly keyPem: string };
  /** At least 32 characters; kept by the caller, since a new one signs every user out. */
  readonly sessionSecret: string;
}

export class ConsoleManifestError extends StrataError {}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** `data` rather than `stringData`: only data lets a re-apply be a no-op. */
function consoleSecrets(input: ConsoleManifestInput): V1Secret[] {
  const { certFile, keyFile } = CONSOLE_MOUNTS.tls;
  return [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: { name: CONSOLE_NAMES.tlsSecret, namespace: CONSOLE_NAMESPACE, labels: CONSOLE_POD_LABELS },
      data: { [certFile]: base64(input.tls.certPem), [keyFile]: base64(input.tls.keyPem) },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: CONSOLE_NAMES.sessionSecret, namespace: CONSOLE_NAMESPACE, labels: CONSOLE_POD_LABELS },
      data: { [SESSION_KEY]: base64(input.sessionSecret) },
    },
  ];
}

const healthProbe = (failureThreshold: number): V1Probe => ({
  httpGet: { scheme: 'HTTPS', path: CONSOLE_HEALTH_PATH, port: 'https' },
  periodSeconds: 10,
  timeoutSeconds: 3,
  failureThreshold,
});

function consoleDeployment(input: ConsoleManifestInput): V1Deployment {
  const { tls, apiCa, scratch } = CONSOLE_MOUNTS;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: CONSOLE_NAMES.console, namespace: CONSOLE_NAMESPACE, labels: CONSOLE_POD_LABELS },
    spec: {
      // One replica at the address the URL names; Recreate, since two pods on that node could not share the port.
      replicas: 1,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: CONSOLE_POD_LABELS },
      template: {
        metadata: {
          labels: CONSOLE_POD_LABELS,
          // Next.js's cache, rebuilt at start: without this, the update operator's drain would refuse the pod (emptyDir
          // data) and the first controller would never reboot.
          annotations: { [POD_ANNOTATIONS.scratchVolumes]: scratch.volume },
        },
        spec: {
          // The default ServiceAccount, without its token: the console never calls the API server as itself.
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          // Browsers reach it without kube-proxy, a NodePort or a load balancer (the local platform has none).
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          nodeSelector: { 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': input.nodeName },
          tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
          securityContext: nonrootPodSecurityContext({ readsSecretFiles: true }),
          volumes: [
            { name: tls.volume, secret: { secretName: CONSOLE_NAMES.tlsSecret, defaultMode: 0o440 } },
            {
              name: apiCa.volume,
              configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: apiCa.file }] },
            },
            { name: scratch.volume, emptyDir: { sizeLimit: '256Mi' } },
          ],
          containers: [
            {
              name: 'console',
              image: input.image ?? CONSOLE_IMAGE,
              args: [
                'serve',
                // The node's address only (hostNetwork): nothing else on the host is offered the port.
                '--host=$(POD_IP)',
                `--port=${CONSOLE_CONTAINER_PORT}`,
                `--tls-cert-file=${tls.dir}/${tls.certFile}`,
                `--tls-key-file=${tls.dir}/${tls.keyFile}`,
              ],
              env: [
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                { name: 'STRATA_CONSOLE_API_CA_FILE', value: `${apiCa.dir}/${apiCa.file}` },
                {
                  name: 'STRATA_CONSOLE_SESSION_SECRET',
                  valueFrom: { secretKeyRef: { name: CONSOLE_NAMES.sessionSecret, key: SESSION_KEY } },
                },
                { name: 'NEXT_TELEMETRY_DISABLED', value: '1' },
              ],
              ports: [{ name: 'https', containerPort: CONSOLE_CONTAINER_PORT, protocol: 'TCP' }],
              livenessProbe: healthProbe(6),
              readinessProbe: healthProbe(3),
              resources: { requests: { cpu: '50m', memory: '192Mi' }, limits: { memory: '1Gi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: tls.volume, mountPath: tls.dir, readOnly: true },
                { name: apiCa.volume, mountPath: apiCa.dir, readOnly: true },
                { name: scratch.volume, mountPath: scratch.dir },
              ],
            },
          ],
        },
      },
    },
  };
}

function consoleService(): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: CONSOLE_NAMES.console, namespace: CONSOLE_NAMESPACE, labels: CONSOLE_POD_LABELS },
    spec: {
      selector: CONSOLE_POD_LABELS,
      ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }],
    },
  };
}

/** The DNS names the serving certificate must carry for the Service (in a cluster of domain `clusterDomain`). */
export function consoleServiceDnsNames(clusterDomain: string): string[] {
  const service = `${CONSOLE_NAMES.console}.${CONSOLE_NAMESPACE}`;
  return [service, `${service}.svc`, `${service}.svc.${clusterDomain}`];
}

/**
 * The console's objects in strata-console (a namespace the bootstrap manifests make; `privileged` enforced for the
 * host network alone, `restricted` audited and warned): its serving certificate and session Secrets, the Deployment
 * and the Service. No ServiceAccount, Role or binding.
 */
export function consoleManifests(input: ConsoleManifestInput): KubernetesObject[] {
  if (input.sessionSecret.length < 32)
    throw new ConsoleManifestError('the console session secret must hold at least 32 characters', {
      length: input.sessionSecret.length,
    });
  return [...consoleSecrets(input), consoleDeployment(input), consoleService()];
}
