import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  ApiException,
  CertificatesV1Api,
  CoordinationV1Api,
  CoreV1Api,
  RbacAuthorizationV1Api,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import { uniqueName, waitFor } from '@strata/harness';
import { FakeOperatingSystem } from './testing/fake-operating-system.ts';
import { startNodeTestCluster, type NodeTestCluster } from './testing/node-cluster.ts';
import { SimulatedNode, type SimulatedNodeOptions } from './simulated-node.ts';
import { ApiRequestMetrics } from './api-metrics.ts';
import { NodeBootstrapError } from './errors.ts';
import { KUBELET_CLIENT_SIGNER } from './node-identity.ts';
import { asDate } from './timestamps.ts';
import { describeApiError } from '@strata/kube';
import type { UpdateEngineStatus } from '@strata/api';
import { ManualUpdateSource, SimulatedOperatingSystem } from '../os/index.ts';

const FLATCAR_4230_2_3 = 'Flatcar Container Linux by Kinvolk 4230.2.3 (Oklo)';
/** Short enough to see renewals in a test, long enough to see that nothing else is written between them. */
const RENEW_MS = 1_000;

let env: NodeTestCluster;
let core: CoreV1Api;
let coordination: CoordinationV1Api;
let certificates: CertificatesV1Api;
const started: SimulatedNode[] = [];
const errors: string[] = [];

before(async () => {
  env = await startNodeTestCluster();
  core = env.admin.makeApiClient(CoreV1Api);
  coordination = env.admin.makeApiClient(CoordinationV1Api);
  certificates = env.admin.makeApiClient(CertificatesV1Api);
});

after(async () => {
  await Promise.all(started.map((node) => node.stop()));
  await env?.stop();
});

function newNode(name: string, overrides: Partial<SimulatedNodeOptions> = {}): SimulatedNode {
  const node = new SimulatedNode({
    spec: {
      name,
      ip: '10.250.0.10',
      roles: ['worker'],
      labels: { 'example.com/pool': 'blue' },
      taints: [{ key: 'example.com/simulated', value: 'true', effect: 'PreferNoSchedule' }],
    },
    os: new FakeOperatingSystem(),
    bootstrapKubeConfig: env.bootstrap,
    adminKubeConfig: env.admin,
    stateDir: join(env.stateDir, name),
    timing: { leaseRenewIntervalMs: RENEW_MS },
    onError: (error, activity) => errors.push(`${activity}: ${describeApiError(error)}`),
    ...overrides,
  });
  started.push(node);
  return node;
}

/** The client's model classes compare unequal to literals; their data does not. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;
const condition = (node: V1Node, type: string) => node.status?.conditions?.find((candidate) => candidate.type === type);
const readLease = (name: string) => coordination.readNamespacedLease({ name, namespace: 'kube-node-lease' });
const renewTime = async (name: string): Promise<number> =>
  asDate((await readLease(name)).spec?.renewTime)?.getTime() ?? 0;

describe('a simulated node', () => {
  const name = uniqueName('node');
  let node: SimulatedNode;
  let os: FakeOperatingSystem;

  it('bootstraps a client certificate through a CSR that kube-controller-manager approves and signs', async () => {
    os = new FakeOperatingSystem();
    node = newNode(name, { os });
    await node.start();
    assert.equal(node.state, 'up');
    const csrName = node.csrName;
    assert.ok(csrName !== undefined, 'a CSR was filed');
    const csr = await certificates.readCertificateSigningRequest({ name: csrName });
    assert.equal(csr.spec.signerName, KUBELET_CLIENT_SIGNER);
    assert.deepEqual(csr.spec.usages, ['digital signature', 'client auth']);
    assert.equal(csr.spec.username, 'system:bootstrap:strata');
    const approved = csr.status?.conditions?.find((candidate) => candidate.type === 'Approved');
    assert.equal(approved?.reason, 'AutoApproved');
    assert.ok(csr.status?.certificate, 'signed');
  });

  it('registers a Ready Node with the Flatcar nodeInfo, labels and taints', async () => {
    const object = await core.readNode({ name });
    const info = object.status?.nodeInfo;
    assert.equal(info?.osImage, FLATCAR_4230_2_3);
    assert.equal(info?.kernelVersion, '6.6.95-flatcar');
    assert.equal(info?.bootID, os.bootId());
    assert.equal(info?.kubeletVersion, 'v1.36.3');
    assert.equal(info?.containerRuntimeVersion, 'containerd://2.0.5');
    assert.equal(info?.operatingSystem, 'linux');
    assert.equal(info?.architecture, 'amd64');
    assert.match(info?.machineID ?? '', /^[0-9a-f]{32}$/);
    const labels = object.metadata?.labels ?? {};
    assert.equal(labels['kubernetes.io/hostname'], name);
    assert.equal(labels['kubernetes.io/os'], 'linux');
    assert.equal(labels['kubernetes.io/arch'], 'amd64');
    assert.equal(labels['node.kubernetes.io/instance-type'], 'strata-local');
    assert.equal(labels['node-role.kubernetes.io/worker'], '');
    assert.equal(labels['example.com/pool'], 'blue');
    assert.ok(
      object.spec?.taints?.some(
        (taint) => taint.key === 'example.com/simulated' && taint.effect === 'PreferNoSchedule',
      ),
    );
    assert.deepEqual(plain(object.status?.addresses), [
      { type: 'InternalIP', address: '10.250.0.10' },
      { type: 'Hostname', address: name },
    ]);
    assert.equal(object.status?.capacity?.['pods'], '110');
    assert.equal(object.status?.daemonEndpoints?.kubeletEndpoint?.Port, 10250);
    const ready = condition(object, 'Ready');
    assert.equal(ready?.status, 'True');
    assert.equal(ready?.reason, 'KubeletReady');
    for (const type of ['MemoryPressure', 'DiskPressure', 'PIDPressure'])
      assert.equal(condition(object, type)?.status, 'False', type);
  });

  it('heartbeats through its Lease, renewing it without writing the Node', async () => {
    const lease = await readLease(name);
    assert.equal(lease.spec?.holderIdentity, name);
    assert.equal(lease.spec?.leaseDurationSeconds, 40);
    const owner = lease.metadata?.ownerReferences?.[0];
    assert.equal(owner?.kind, 'Node');
    assert.equal(owner?.uid, node.uid);
    // Controllers annotate and untaint a new Node once; after that only the node would write it.
    await waitFor(
      'the node lifecycle controller to lift the not-ready taint',
      async () => {
        const object = await core.readNode({ name });
        return object.spec?.taints?.some((taint) => taint.key === 'node.kubernetes.io/not-ready') === true
          ? undefined
          : object;
      },
      30_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 2 * RENEW_MS));
    const before = (await core.readNode({ name })).metadata?.resourceVersion;
    const first = await renewTime(name);
    const second = await waitFor(
      'a renewal',
      async () => ((await renewTime(name)) > first ? renewTime(name) : undefined),
      5_000,
    );
    await waitFor('another renewal', async () => ((await renewTime(name)) > second ? true : undefined), 5_000);
    const afterwards = (await core.readNode({ name })).metadata?.resourceVersion;
    assert.equal(afterwards, before, 'the Node was not written between renewals');
    assert.equal(node.statusWrites, 0, 'no status report since registration');
  });
});

describe('pods on a simulated node', () => {
  const name = uniqueName('podnode');
  let namespace: string;
  let node: SimulatedNode;

  before(async () => {
    node = newNode(name);
    namespace = uniqueName('pods');
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await node.start();
    // Pods need the namespace's default ServiceAccount, which a controller creates.
    await waitFor(
      'the default ServiceAccount',
      async () => {
        const accounts = await core.listNamespacedServiceAccount({ namespace });
        return accounts.items.length > 0 ? true : undefined;
      },
      30_000,
    );
  });

  const podBody = (podName: string, nodeName?: string): V1Pod => ({
    metadata: { name: podName, namespace },
    spec: {
      // Bound directly, or left to the scheduler with only this node to choose from.
      ...(nodeName === undefined ? { nodeSelector: { 'kubernetes.io/hostname': name } } : { nodeName }),
      tolerations: [{ key: 'example.com/simulated', operator: 'Exists' }],
      containers: [{ name: 'web', image: 'nginx:1.27' }],
    },
  });

  const runningPod = (podName: string) =>
    waitFor(
      `pod ${podName} Running and Ready`,
      async () => {
        const pod = await core.readNamespacedPod({ name: podName, namespace });
        const ready = pod.status?.conditions?.find((candidate) => candidate.type === 'Ready')?.status === 'True';
        return pod.status?.phase === 'Running' && ready ? pod : undefined;
      },
      30_000,
    );

  it('runs a pod bound to it: Running and Ready, with IPs and container statuses', async () => {
    await core.createNamespacedPod({ namespace, body: podBody('bound', name) });
    const pod = await runningPod('bound');
    const status = pod.status;
    assert.equal(status?.hostIP, '10.250.0.10');
    assert.match(status?.podIP ?? '', /^10\.244\.\d+\.\d+$/);
    assert.deepEqual(plain(status?.podIPs), [{ ip: status?.podIP }]);
    assert.ok(status?.startTime);
    const byType = Object.fromEntries(
      (status?.conditions ?? []).map((candidate) => [candidate.type, candidate.status]),
    );
    assert.deepEqual(
      {
        PodScheduled: byType['PodScheduled'],
        Initialized: byType['Initialized'],
        ContainersReady: byType['ContainersReady'],
        Ready: byType['Ready'],
      },
      { PodScheduled: 'True', Initialized: 'True', ContainersReady: 'True', Ready: 'True' },
    );
    const container = status?.containerStatuses?.[0];
    assert.equal(container?.name, 'web');
    assert.equal(container?.ready, true);
    assert.equal(container?.restartCount, 0);
    assert.equal(container?.image, 'nginx:1.27');
    assert.match(container?.imageID ?? '', /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    assert.equal(container?.containerID, `placeholder://${pod.metadata?.uid ?? ''}/web`);
    assert.ok(container?.state?.running?.startedAt);
  });

  it('runs a pod the scheduler places on it', async () => {
    await core.createNamespacedPod({ namespace, body: podBody('scheduled') });
    const pod = await runningPod('scheduled');
    assert.equal(pod.spec?.nodeName, name);
  });

  it('stops a deleted pod and makes the final delete itself', async () => {
    const deleting = await core.deleteNamespacedPod({ name: 'bound', namespace });
    assert.ok(deleting.metadata?.deletionTimestamp, 'a graceful delete only marks the pod');
    await waitFor(
      'the pod to be gone',
      async () => {
        try {
          await core.readNamespacedPod({ name: 'bound', namespace });
          return undefined;
        } catch (error) {
          // Gone is a 404; any other answer (403, 500, no connection) fails the test with its message.
          if (error instanceof ApiException && error.code === 404) return true;
          throw error;
        }
      },
      15_000,
    );
    assert.equal(node.runningPods, 1, 'only the scheduled pod still runs');
  });

  it('goes NotReady when its machine shuts down and comes back Ready with the new boot and OS', async () => {
    const os = node.os as FakeOperatingSystem;
    const bootBefore = os.bootId();
    await os.shutDown();
    assert.equal(node.state, 'down');
    const down = await core.readNode({ name });
    const notReady = condition(down, 'Ready');
    assert.equal(notReady?.status, 'False');
    assert.equal(notReady?.reason, 'KubeletNotReady');
    assert.equal(notReady?.message, 'node is shutting down');
    assert.equal(node.runningPods, 0, 'every pod was stopped');
    const lastRenewal = await renewTime(name);
    await new Promise((resolve) => setTimeout(resolve, 2.5 * RENEW_MS));
    assert.equal(await renewTime(name), lastRenewal, 'no renewals while down');

    os.stageVersion('4230.2.4', '6.6.100-flatcar');
    await os.boot();
    assert.equal(node.state, 'up');
    const up = await core.readNode({ name });
    assert.equal(condition(up, 'Ready')?.status, 'True');
    assert.notEqual(up.status?.nodeInfo?.bootID, bootBefore);
    assert.equal(up.status?.nodeInfo?.bootID, os.bootId());
    assert.equal(up.status?.nodeInfo?.osImage, 'Flatcar Container Linux by Kinvolk 4230.2.4 (Oklo)');
    assert.equal(up.status?.nodeInfo?.kernelVersion, '6.6.100-flatcar');
    await waitFor(
      'a renewal after boot',
      async () => ((await renewTime(name)) > lastRenewal ? true : undefined),
      5_000,
    );
    const restarted = await waitFor(
      'the scheduled pod to run again',
      async () => {
        const pod = await core.readNamespacedPod({ name: 'scheduled', namespace });
        return pod.status?.containerStatuses?.[0]?.restartCount === 1 ? pod : undefined;
      },
      15_000,
    );
    assert.equal(restarted.status?.phase, 'Running');
  });
});

describe('a simulated node on the simulated Container Linux', () => {
  it('reports the version its update engine staged once the machine rebooted into it', async () => {
    const source = new ManualUpdateSource();
    const os = new SimulatedOperatingSystem({
      id: 'flatcar',
      version: '4230.2.3',
      updateSource: source,
      rebootDelayMs: 200,
      // No periodic checks: the test asks for one.
      timings: {
        firstCheckDelayMs: Infinity,
        checkIntervalMs: Infinity,
        checkFuzzMs: 0,
        checkMs: 10,
        downloadSteps: 2,
        downloadStepMs: 10,
        verifyMs: 10,
        finalizeMs: 10,
        errorReportMs: 10,
      },
    });
    const name = uniqueName('flatcar');
    const node = newNode(name, { os });
    await node.start();
    const before = await core.readNode({ name });
    assert.equal(before.status?.nodeInfo?.osImage, os.release().prettyName);
    assert.match(os.release().prettyName, /4230\.2\.3/);

    source.offer({ version: '4230.2.4' });
    const staged = new Promise<void>((resolve) => {
      const unsubscribe = os.updateEngine.onStatusUpdate((status: UpdateEngineStatus) => {
        if (status.currentOperation !== 'UPDATE_STATUS_UPDATED_NEED_REBOOT') return;
        unsubscribe();
        resolve();
      });
    });
    await os.updateEngine.attemptUpdate();
    await staged;
    await os.reboot();

    const after = await core.readNode({ name });
    assert.match(after.status?.nodeInfo?.osImage ?? '', /4230\.2\.4/);
    assert.equal(after.status?.nodeInfo?.kernelVersion, os.release().kernelVersion);
    assert.equal(after.status?.nodeInfo?.bootID, os.bootId());
    assert.notEqual(after.status?.nodeInfo?.bootID, before.status?.nodeInfo?.bootID);
    assert.equal(condition(after, 'Ready')?.status, 'True');
    await node.stop();
    os.updateEngine.stop();
  });
});

describe('a restarted simulated node', () => {
  it('reuses the certificate in its state directory and adopts its Node', async () => {
    const name = uniqueName('restart');
    const first = newNode(name);
    await first.start();
    const uid = first.uid;
    await first.stop();
    const metrics = new ApiRequestMetrics();
    const second = newNode(name, { shared: { metrics } });
    await second.start();
    assert.equal(second.csrName, undefined, 'no new CSR');
    assert.equal(metrics.snapshot().requests['create certificatesigningrequests'], undefined);
    assert.equal(second.uid, uid, 'the same Node');
    assert.equal(condition(await core.readNode({ name }), 'Ready')?.status, 'True');
    // Decommissioned as an administrator does it: the kubelet stops, then its Node goes.
    await second.stop();
    await second.deleteNode();
    await waitFor('the Node to be gone', async () => {
      try {
        await core.readNode({ name });
        return undefined;
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return true;
        throw error;
      }
    });
  });
});

describe('TLS bootstrapping that does not succeed', () => {
  const user = 'unapproved-bootstrapper';

  before(async () => {
    // May file CSRs, but is not among the requesters the approver trusts.
    await env.admin.makeApiClient(RbacAuthorizationV1Api).createClusterRoleBinding({
      body: {
        metadata: { name: 'test:unapproved-bootstrapper' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:node-bootstrapper' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
      },
    });
  });

  it('names the CSR and the reason when it is denied', async () => {
    const name = uniqueName('denied');
    const node = newNode(name, {
      bootstrapKubeConfig: await env.cluster.userKubeConfig(user),
      timing: { bootstrapTimeoutMs: 30_000 },
    });
    // Settled into a value at once: the rejection comes while the test is still denying the CSR.
    const outcome = node.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    const csr = await waitFor('the CSR', async () => {
      const list = await certificates.listCertificateSigningRequest();
      return list.items.find(
        (candidate) => candidate.spec.username === user && candidate.status?.conditions === undefined,
      );
    });
    csr.status = {
      conditions: [{ type: 'Denied', status: 'True', reason: 'NotOnTheList', message: 'machine not in inventory' }],
    };
    await certificates.replaceCertificateSigningRequestApproval({ name: csr.metadata?.name ?? '', body: csr });
    const error = await outcome;
    assert.ok(error instanceof NodeBootstrapError, String(error));
    assert.equal(
      error.message,
      `CSR ${csr.metadata?.name ?? ''} of node ${name} was denied (NotOnTheList: machine not in inventory)`,
    );
    assert.equal(error.context['reason'], 'NotOnTheList');
  });

  it('times out saying what it saw when nobody approves', async () => {
    const name = uniqueName('unsigned');
    const node = newNode(name, {
      bootstrapKubeConfig: await env.cluster.userKubeConfig(user),
      timing: { bootstrapTimeoutMs: 2_000 },
    });
    await assert.rejects(node.start(), /was not signed within 2000 ms: it is neither approved nor denied/);
  });

  it('had no errors in the background work of the nodes that ran', () => {
    assert.deepEqual(errors, []);
  });
});
