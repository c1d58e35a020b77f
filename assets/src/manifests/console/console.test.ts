import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubernetesObject, V1Deployment, V1Secret, V1Service } from '@kubernetes/client-node';
import {
  CONSOLE_CONTAINER_PORT,
  CONSOLE_HEALTH_PATH,
  CONSOLE_IMAGE,
  CONSOLE_MOUNTS,
  CONSOLE_NAMES,
  CONSOLE_NAMESPACE,
  ConsoleManifestError,
  consoleManifests,
  consoleServiceDnsNames,
  type ConsoleManifestInput,
} from './console.ts';

/** Valid input; tests override only what they are about. */
function consoleInput(overrides: Partial<ConsoleManifestInput> = {}): ConsoleManifestInput {
  return {
    tls: {
      certPem: '-----BEGIN CERTIFICATE-----\nY29uc29sZQ==\n-----END CERTIFICATE-----\n',
      keyPem: '-----BEGIN PRIVATE KEY-----\na2V5\n-----END PRIVATE KEY-----\n',
    },
    nodeName: 'controller-0',
    sessionSecret: 's'.repeat(43),
    ...overrides,
  };
}

function one<T extends KubernetesObject>(objects: readonly KubernetesObject[], kind: string, name: string): T {
  const found = objects.filter((object) => object.kind === kind && object.metadata?.name === name);
  assert.equal(found.length, 1, `exactly one ${kind} ${name}`);
  return found[0] as T;
}

const decoded = (secret: V1Secret, key: string): string => Buffer.from(secret.data?.[key] ?? '', 'base64').toString();

describe('the console manifests', () => {
  it('are Secrets, a Deployment and a Service in strata-console, and nothing that grants RBAC or a ServiceAccount', () => {
    const objects = consoleManifests(consoleInput());
    assert.deepEqual(
      objects.map((object) => `${object.kind}/${object.metadata?.namespace}/${object.metadata?.name}`).sort(),
      [
        `Deployment/${CONSOLE_NAMESPACE}/${CONSOLE_NAMES.console}`,
        `Secret/${CONSOLE_NAMESPACE}/${CONSOLE_NAMES.sessionSecret}`,
        `Secret/${CONSOLE_NAMESPACE}/${CONSOLE_NAMES.tlsSecret}`,
        `Service/${CONSOLE_NAMESPACE}/${CONSOLE_NAMES.console}`,
      ],
    );
    assert.equal(CONSOLE_NAMESPACE, 'strata-console');
  });

  it('carries the serving certificate as a kubernetes.io/tls Secret and the session key in its own', () => {
    const input = consoleInput();
    const objects = consoleManifests(input);
    const tls = one<V1Secret>(objects, 'Secret', CONSOLE_NAMES.tlsSecret);
    assert.equal(tls.type, 'kubernetes.io/tls');
    assert.equal(decoded(tls, 'tls.crt'), input.tls.certPem);
    assert.equal(decoded(tls, 'tls.key'), input.tls.keyPem);
    assert.equal(tls.stringData, undefined, 'data only, so that a re-apply is a no-op');
    const session = one<V1Secret>(objects, 'Secret', CONSOLE_NAMES.sessionSecret);
    assert.equal(decoded(session, 'session-secret'), input.sessionSecret);
  });

  it('runs the console without a token, as nonroot, read-only, with no capabilities, probed on its health route over HTTPS', () => {
    const deployment = one<V1Deployment>(consoleManifests(consoleInput()), 'Deployment', CONSOLE_NAMES.console);
    const pod = deployment.spec?.template.spec;
    assert.equal(pod?.automountServiceAccountToken, false);
    assert.equal(pod?.serviceAccountName, undefined, 'the default ServiceAccount, which is granted nothing');
    assert.deepEqual(pod?.securityContext, {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      fsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const container = pod?.containers[0];
    assert.equal(pod?.containers.length, 1);
    assert.equal(container?.image, CONSOLE_IMAGE);
    assert.deepEqual(container?.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    for (const probe of [container?.livenessProbe, container?.readinessProbe]) {
      assert.deepEqual(probe?.httpGet, { scheme: 'HTTPS', path: CONSOLE_HEALTH_PATH, port: 'https' });
    }
    assert.deepEqual(container?.ports, [{ name: 'https', containerPort: CONSOLE_CONTAINER_PORT, protocol: 'TCP' }]);
  });

  it("runs one replica on the named controller's host network, recreated, at the port the URL names", () => {
    const deployment = one<V1Deployment>(
      consoleManifests(consoleInput({ nodeName: 'c-1' })),
      'Deployment',
      CONSOLE_NAMES.console,
    );
    assert.equal(deployment.spec?.replicas, 1);
    assert.deepEqual(deployment.spec?.strategy, { type: 'Recreate' });
    const pod = deployment.spec?.template.spec;
    assert.equal(pod?.hostNetwork, true);
    assert.equal(pod?.dnsPolicy, 'ClusterFirstWithHostNet');
    assert.deepEqual(pod?.nodeSelector, { 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': 'c-1' });
    assert.deepEqual(pod?.tolerations, [
      { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    assert.equal(CONSOLE_CONTAINER_PORT, 30443);
  });

  it('serves HTTPS with the mounted certificate and trusts the API server by its kube-root-ca.crt', () => {
    const pod = one<V1Deployment>(consoleManifests(consoleInput()), 'Deployment', CONSOLE_NAMES.console).spec?.template
      .spec;
    const container = pod?.containers[0];
    const { tls, apiCa } = CONSOLE_MOUNTS;
    assert.deepEqual(container?.args, [
      'serve',
      '--host=$(POD_IP)',
      `--port=${CONSOLE_CONTAINER_PORT}`,
      `--tls-cert-file=${tls.dir}/${tls.certFile}`,
      `--tls-key-file=${tls.dir}/${tls.keyFile}`,
    ]);
    const mountOf = (volume: string) => container?.volumeMounts?.find((mount) => mount.name === volume);
    assert.deepEqual(mountOf(tls.volume), { name: tls.volume, mountPath: tls.dir, readOnly: true });
    assert.equal(
      pod?.volumes?.find((volume) => volume.name === tls.volume)?.secret?.secretName,
      CONSOLE_NAMES.tlsSecret,
    );
    assert.equal(pod?.volumes?.find((volume) => volume.name === apiCa.volume)?.configMap?.name, 'kube-root-ca.crt');
    const env = new Map(container?.env?.map((variable) => [variable.name, variable]));
    // The address from KUBERNETES_SERVICE_HOST and _PORT, which every kubelet sets (the local platform to the real one).
    assert.equal(env.has('STRATA_CONSOLE_API_SERVER'), false);
    assert.equal(env.get('STRATA_CONSOLE_API_CA_FILE')?.value, `${apiCa.dir}/${apiCa.file}`);
    assert.equal(mountOf(apiCa.volume)?.mountPath, apiCa.dir);
    assert.deepEqual(env.get('STRATA_CONSOLE_SESSION_SECRET')?.valueFrom?.secretKeyRef, {
      name: CONSOLE_NAMES.sessionSecret,
      key: 'session-secret',
    });
    assert.equal(env.get('NEXT_TELEMETRY_DISABLED')?.value, '1');
    assert.equal(env.has('STRATA_CONSOLE_KUBECONFIG'), false, 'no credentials of its own');
  });

  it('takes another image, and exposes the pod on 443 inside the cluster', () => {
    const objects = consoleManifests(consoleInput({ image: 'registry.example/console:1' }));
    const deployment = one<V1Deployment>(objects, 'Deployment', CONSOLE_NAMES.console);
    assert.equal(deployment.spec?.template.spec?.containers[0]?.image, 'registry.example/console:1');
    const service = one<V1Service>(objects, 'Service', CONSOLE_NAMES.console);
    assert.deepEqual(service.spec?.ports, [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }]);
    assert.deepEqual(service.spec?.selector, deployment.spec?.selector.matchLabels);
    assert.deepEqual(consoleServiceDnsNames('cluster.local'), [
      'console.strata-console',
      'console.strata-console.svc',
      'console.strata-console.svc.cluster.local',
    ]);
  });

  it('refuses a session secret shorter than 32 characters', () => {
    assert.throws(() => consoleManifests(consoleInput({ sessionSecret: 'short' })), ConsoleManifestError);
  });
});
