// The join approver against a real API server and kube-controller-manager (the
// signer), with the rendered bootstrap manifests: per-machine token Secrets,
// the approver's RBAC and admission policy, and no auto-approval of bootstrap
// CSRs. Each attack of security issue 21 is replayed with a real bootstrap
// token over HTTPS.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, X509Certificate } from 'node:crypto';
import {
  CertificatesV1Api,
  CoreV1Api,
  type EventsV1Event,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type V1CertificateSigningRequest,
  type V1Secret,
} from '@kubernetes/client-node';
import { bootstrapTokenSecretName, KUBELET_CLIENT_SIGNER } from '@strata/api';
import {
  createCertificateSigningRequest,
  JOIN_APPROVER_NAMES,
  renderBootstrapManifests,
  type BootstrapTokenInput,
} from '@strata/assets';
import { HarnessCluster, startControlPlane, type RunningControlPlane } from '@strata/harness';
import { statusCodeOf } from '@strata/kube';
import { pino } from 'pino';
import { runJoinApprover } from './run-join-approver.ts';

const CONTROLLER = 'attack-controller-0';
const WORKERS = ['attack-worker-0', 'attack-worker-1'] as const;
const KUBE_SYSTEM = 'kube-system';
const CSRS_PATH = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

const randomId = (length: number): string =>
  Array.from(randomBytes(length), (byte) => 'abcdefghijklmnopqrstuvwxyz0123456789'[byte % 36]).join('');

/** A token issued for `node`, valid for an hour unless `expiration` says otherwise. */
function tokenFor(node: string, expiration = new Date(Date.now() + 3_600_000)): BootstrapTokenInput {
  return {
    id: randomId(6),
    secret: randomId(16),
    expiration: expiration.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    target: { kind: 'node', name: node },
  };
}

/** What a machine's bootstrap kubeconfig holds: the cluster, the CA and one token. */
function tokenKubeConfig(admin: KubeConfig, token: BootstrapTokenInput): KubeConfig {
  const cluster = admin.getCurrentCluster();
  assert.ok(cluster !== null);
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'kubelet-bootstrap', token: `${token.id}.${token.secret}` }],
    contexts: [{ name: 'bootstrap', cluster: cluster.name, user: 'kubelet-bootstrap' }],
    currentContext: 'bootstrap',
  });
  return config;
}

/** Files a kubelet client CSR for `nodeName` with `kubeConfig`, as the kubelet does. */
async function requestNodeCertificate(
  kubeConfig: KubeConfig,
  nodeName: string,
): Promise<{ name: string; privateKeyPem: string }> {
  const { csrPem, privateKeyPem } = await createCertificateSigningRequest({
    commonName: `system:node:${nodeName}`,
    organizations: ['system:nodes'],
  });
  const name = `node-csr-${randomId(12)}`;
  await kubeConfig.makeApiClient(CertificatesV1Api).createCertificateSigningRequest({
    body: {
      metadata: { name },
      spec: {
        request: Buffer.from(csrPem).toString('base64'),
        signerName: KUBELET_CLIENT_SIGNER,
        usages: ['digital signature', 'client auth'],
      },
    },
  });
  return { name, privateKeyPem };
}

/**
 * Watches `path` (from `resourceVersion` when given, so nothing between a read and the watch is missed) until an
 * event satisfies `done`; rejects after `timeoutMs`.
 */
async function watchUntil<T>(
  kubeConfig: KubeConfig,
  path: string,
  query: Record<string, string>,
  done: (type: string, object: T) => boolean,
  timeoutMs = 30_000,
): Promise<T> {
  const watch = new Watch(kubeConfig);
  let request: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<T>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`nothing on ${path} matched within ${timeoutMs} ms`)), timeoutMs);
      watch
        .watch(
          path,
          query,
          (type, object: T) => {
            if (done(type, object)) resolve(object);
          },
          // Called when the watch ends; before a match, that is a failure (a resolved promise ignores it).
          (error: unknown) =>
            reject(error instanceof Error ? error : new Error(`the watch on ${path} ended before a match`)),
        )
        .then((controller) => (request = controller), reject);
    });
  } finally {
    clearTimeout(timer);
    request?.abort();
  }
}

const conditionOf = (csr: V1CertificateSigningRequest, type: string) =>
  csr.status?.conditions?.find((condition) => condition.type === type && condition.status === 'True');

/** Waits for the approver's verdict on CSR `name`. */
function verdict(admin: KubeConfig, name: string): Promise<V1CertificateSigningRequest> {
  return watchUntil<V1CertificateSigningRequest>(
    admin,
    CSRS_PATH,
    { fieldSelector: `metadata.name=${name}` },
    (_type, csr) => conditionOf(csr, 'Approved') !== undefined || conditionOf(csr, 'Denied') !== undefined,
  );
}

describe('join approver against a real API server', () => {
  let running: RunningControlPlane;
  let cluster: HarnessCluster;
  let admin: KubeConfig;
  const stop = new AbortController();
  let approver: Promise<void>;
  const tokens = {
    controller: tokenFor(CONTROLLER),
    worker0: tokenFor(WORKERS[0]),
    worker1: tokenFor(WORKERS[1]),
    expired: tokenFor('attack-worker-2', new Date(Date.now() - 60_000)),
  };
  const deniedCsrs: string[] = [];
  /** The identity worker 0 got by joining, once it has. */
  let worker0: KubeConfig | undefined;

  before(async () => {
    running = await startControlPlane({ withControllers: true });
    cluster = new HarnessCluster(running.info);
    admin = cluster.adminKubeConfig();
    const url = new URL(cluster.server);
    const files = renderBootstrapManifests({
      clusterName: 'attack',
      kubernetesVersion: 'v1.36.3',
      podCidr: '10.2.0.0/16',
      serviceCidr: '10.3.0.0/16',
      clusterDomain: 'cluster.local',
      dnsServiceIp: '10.3.0.10',
      apiServer: { host: url.hostname, port: Number(url.port) },
      bootstrapTokens: Object.values(tokens),
    });
    const client = KubernetesObjectApi.makeApiClient(admin);
    for (const file of files.filter((candidate) => /^1\d-/.test(candidate.fileName))) {
      for (const object of file.objects) {
        await client.patch(object, undefined, undefined, 'join-approver-test', true, PatchStrategy.ServerSideApply);
      }
    }
    const approverConfig = await cluster.userKubeConfig(JOIN_APPROVER_NAMES.user);
    approver = runJoinApprover({
      kubeConfig: approverConfig,
      controllers: [CONTROLLER],
      identity: 'test-replica',
      logger: pino({ level: 'warn' }),
      leaseDurationSeconds: 2,
      renewDeadlineMs: 1_500,
      retryPeriodMs: 500,
      signal: stop.signal,
    });
  });

  after(async () => {
    stop.abort();
    await approver;
    await running.stop();
  });

  it("denies a worker's token asking for a controller's name, issues nothing, and records an Event", async () => {
    const { name } = await requestNodeCertificate(tokenKubeConfig(admin, tokens.worker0), CONTROLLER);
    deniedCsrs.push(name);
    const csr = await verdict(admin, name);
    const denied = conditionOf(csr, 'Denied');
    assert.ok(denied !== undefined, 'Denied');
    assert.equal(conditionOf(csr, 'Approved'), undefined);
    assert.equal(denied.reason, 'NodeNameMismatch');
    assert.match(denied.message ?? '', new RegExp(`system:bootstrap:${tokens.worker0.id}`));
    assert.match(denied.message ?? '', new RegExp(`asks for node "${CONTROLLER}"`));
    assert.match(denied.message ?? '', new RegExp(`issued for node "${WORKERS[0]}"`));
    assert.equal(csr.status?.certificate, undefined);
    // A watch without a resourceVersion starts with every existing Event, so one written already is seen too.
    const event = await watchUntil<EventsV1Event>(
      admin,
      '/apis/events.k8s.io/v1/namespaces/default/events',
      {},
      (_type, candidate) => candidate.regarding?.name === name,
    );
    assert.equal(event.type, 'Warning');
    assert.equal(event.reason, 'NodeNameMismatch');
  });

  it("denies a worker's token asking for another worker's name", async () => {
    const { name } = await requestNodeCertificate(tokenKubeConfig(admin, tokens.worker0), WORKERS[1]);
    deniedCsrs.push(name);
    const csr = await verdict(admin, name);
    assert.equal(conditionOf(csr, 'Denied')?.reason, 'NodeNameMismatch');
    assert.match(conditionOf(csr, 'Denied')?.message ?? '', new RegExp(`asks for node "${WORKERS[1]}"`));
  });

  it("approves a worker's token asking for its own name, and the signer issues the certificate", async () => {
    const { name, privateKeyPem } = await requestNodeCertificate(tokenKubeConfig(admin, tokens.worker0), WORKERS[0]);
    assert.equal(conditionOf(await verdict(admin, name), 'Approved')?.reason, 'StrataJoinApproved');
    const issued = await watchUntil<V1CertificateSigningRequest>(
      admin,
      CSRS_PATH,
      { fieldSelector: `metadata.name=${name}` },
      (_type, csr) => (csr.status?.certificate ?? '') !== '',
    );
    const certificatePem = Buffer.from(issued.status?.certificate ?? '', 'base64').toString('utf8');
    assert.match(new X509Certificate(certificatePem).subject, /CN=system:node:attack-worker-0/);

    // The signer has worked through the queue since the denials: they stay without a certificate.
    const certificates = admin.makeApiClient(CertificatesV1Api);
    for (const denied of deniedCsrs) {
      const csr = await certificates.readCertificateSigningRequest({ name: denied });
      assert.equal(csr.status?.certificate, undefined, `${denied} was not issued`);
    }

    // The node registers with its new identity; its token Secret is then deleted (watched, then a 404).
    const core = admin.makeApiClient(CoreV1Api);
    const secretName = bootstrapTokenSecretName(tokens.worker0.id);
    const secret = await core.readNamespacedSecret({ name: secretName, namespace: KUBE_SYSTEM });
    const gone = watchUntil<V1Secret>(
      admin,
      `/api/v1/namespaces/${KUBE_SYSTEM}/secrets`,
      { fieldSelector: `metadata.name=${secretName}`, resourceVersion: secret.metadata?.resourceVersion ?? '' },
      (type) => type === 'DELETED',
    );
    const node = new KubeConfig();
    const cluster0 = admin.getCurrentCluster();
    assert.ok(cluster0 !== null);
    node.loadFromOptions({
      clusters: [cluster0],
      users: [
        {
          name: 'node',
          certData: Buffer.from(certificatePem).toString('base64'),
          keyData: Buffer.from(privateKeyPem).toString('base64'),
        },
      ],
      contexts: [{ name: 'node', cluster: cluster0.name, user: 'node' }],
      currentContext: 'node',
    });
    await node.makeApiClient(CoreV1Api).createNode({ body: { metadata: { name: WORKERS[0] } } });
    worker0 = node;
    await gone;
    await assert.rejects(core.readNamespacedSecret({ name: secretName, namespace: KUBE_SYSTEM }), (error: unknown) => {
      assert.equal(statusCodeOf(error), 404);
      return true;
    });
    // The other machines' tokens are untouched.
    await core.readNamespacedSecret({ name: bootstrapTokenSecretName(tokens.worker1.id), namespace: KUBE_SYSTEM });
  });

  it("approves a node's serving CSR for its own name and addresses, and denies one naming another node", async () => {
    assert.ok(worker0 !== undefined, 'worker 0 joined in the test before');
    const nodeCore = worker0.makeApiClient(CoreV1Api);
    // A merge patch of the addresses alone, as a kubelet reports them: a replace of the whole status would race the
    // API server's own writes to the Node (409 under load).
    await nodeCore.patchNodeStatus(
      {
        name: WORKERS[0],
        body: {
          status: {
            addresses: [
              { type: 'InternalIP', address: '10.0.0.5' },
              { type: 'Hostname', address: WORKERS[0] },
            ],
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const serving = async (names: { type: 'dns' | 'ip'; value: string }[]): Promise<string> => {
      const { csrPem } = await createCertificateSigningRequest({
        commonName: `system:node:${WORKERS[0]}`,
        organizations: ['system:nodes'],
        subjectAltNames: names,
      });
      const name = `csr-serving-${randomId(10)}`;
      await worker0?.makeApiClient(CertificatesV1Api).createCertificateSigningRequest({
        body: {
          metadata: { name },
          spec: {
            request: Buffer.from(csrPem).toString('base64'),
            signerName: 'kubernetes.io/kubelet-serving',
            usages: ['digital signature', 'server auth'],
          },
        },
      });
      return name;
    };
    const own = await serving([
      { type: 'dns', value: WORKERS[0] },
      { type: 'ip', value: '10.0.0.5' },
    ]);
    assert.equal(conditionOf(await verdict(admin, own), 'Approved')?.reason, 'StrataServingApproved');
    const issued = await watchUntil<V1CertificateSigningRequest>(
      admin,
      CSRS_PATH,
      { fieldSelector: `metadata.name=${own}` },
      (_type, csr) => (csr.status?.certificate ?? '') !== '',
    );
    const certificate = new X509Certificate(Buffer.from(issued.status?.certificate ?? '', 'base64').toString('utf8'));
    assert.match(certificate.subjectAltName ?? '', /DNS:attack-worker-0/);
    const foreign = await serving([{ type: 'dns', value: CONTROLLER }]);
    const denied = conditionOf(await verdict(admin, foreign), 'Denied');
    assert.equal(denied?.reason, 'ForeignSans');
    assert.match(denied?.message ?? '', new RegExp(`dns ${CONTROLLER}`));
  });

  it("approves a controller's own token for its own name", async () => {
    const { name } = await requestNodeCertificate(tokenKubeConfig(admin, tokens.controller), CONTROLLER);
    assert.ok(conditionOf(await verdict(admin, name), 'Approved') !== undefined);
  });

  it('refuses an expired token with 401 while its Secret still exists: the API server checks the expiration', async () => {
    const secret = await admin
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ name: bootstrapTokenSecretName(tokens.expired.id), namespace: KUBE_SYSTEM });
    assert.ok(secret.data?.['expiration'] !== undefined, 'the Secret is there, with its expiration');
    await assert.rejects(requestNodeCertificate(tokenKubeConfig(admin, tokens.expired), 'attack-worker-2'), (error) => {
      assert.equal(statusCodeOf(error), 401);
      return true;
    });
    // The same request with a valid token is authenticated: the 401 is the expiration's doing.
    await requestNodeCertificate(tokenKubeConfig(admin, tokens.worker1), WORKERS[1]);
  });

  it('lets the approver delete bootstrap token Secrets only', async () => {
    const core = admin.makeApiClient(CoreV1Api);
    const name = `not-a-token-${randomId(5)}`;
    await core.createNamespacedSecret({ namespace: KUBE_SYSTEM, body: { metadata: { name }, stringData: { a: 'b' } } });
    const approverCore = (await cluster.userKubeConfig(JOIN_APPROVER_NAMES.user)).makeApiClient(CoreV1Api);
    await assert.rejects(approverCore.deleteNamespacedSecret({ name, namespace: KUBE_SYSTEM }), (error: unknown) => {
      assert.equal(statusCodeOf(error), 403);
      return true;
    });
    await core.readNamespacedSecret({ name, namespace: KUBE_SYSTEM });
  });
});
