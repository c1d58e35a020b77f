import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException, CoreV1Api, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { ETCD_VERSION } from '@strata/binaries';
import { waitFor } from '@strata/harness';
import { crashContainer, startTestCluster, type TestCluster } from '../testing/index.ts';
import type { UpdateStatus } from '@strata/api';

const readyOf = (node: V1Node) => node.status?.conditions?.find((condition) => condition.type === 'Ready');

describe('a local cluster', () => {
  let cluster: TestCluster;
  let core: CoreV1Api;

  before(async () => {
    cluster = await startTestCluster({ workers: 2 });
    core = cluster.adminKubeConfig().makeApiClient(CoreV1Api);
  });
  after(async () => {
    await cluster?.destroy();
  });

  it('has every node Ready, reporting a Flatcar OS', async () => {
    const nodes = (await core.listNode()).items;
    assert.equal(nodes.length, 3);
    for (const node of nodes) {
      assert.equal(readyOf(node)?.status, 'True', node.metadata?.name);
      assert.match(node.status?.nodeInfo?.osImage ?? '', /^Flatcar Container Linux by Kinvolk \d+\.\d+\.\d+ \(Oklo\)$/);
      assert.equal(node.status?.nodeInfo?.kubeletVersion, 'v1.36.3');
    }
  });

  it('runs an etcd pod as a real process that answers on its pod IP', async () => {
    const namespace = 'default';
    const name = 'etcd-probe';
    const pod: V1Pod = {
      metadata: { name, namespace },
      spec: {
        containers: [
          {
            name: 'etcd',
            image: `registry.k8s.io/etcd:${ETCD_VERSION.replace(/^v/, '')}-0`,
            command: ['etcd'],
            args: [
              '--data-dir=/var/lib/etcd',
              '--listen-client-urls=http://$(POD_IP):2379',
              '--advertise-client-urls=http://$(POD_IP):2379',
              '--listen-peer-urls=http://$(POD_IP):2380',
            ],
            env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
            volumeMounts: [{ name: 'data', mountPath: '/var/lib/etcd' }],
            readinessProbe: { httpGet: { path: '/health', port: 2379 }, periodSeconds: 1 },
          },
        ],
        volumes: [{ name: 'data', emptyDir: {} }],
      },
    };
    await core.createNamespacedPod({ namespace, body: pod });
    // The real scheduler places it; the node runs it.
    const running = await waitFor(
      'the etcd pod to be Ready',
      async () => {
        const current = await core.readNamespacedPod({ name, namespace });
        return current.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? current : undefined;
      },
      60_000,
    );
    const podIP = running.status?.podIP ?? '';
    assert.match(podIP, /^127\./);
    const health = await fetch(`http://${podIP}:2379/health`);
    assert.equal(health.status, 200);
    assert.match(await health.text(), /"health":"true"/);

    // An injected crash: the container restarts, as a kubelet restarts it.
    const crashedPid = crashContainer(running, 'etcd');
    const restarted = await waitFor(
      'etcd to be restarted and Ready again',
      async () => {
        const current = await core.readNamespacedPod({ name, namespace });
        const status = current.status?.containerStatuses?.[0];
        return (status?.restartCount ?? 0) >= 1 && status?.ready ? status : undefined;
      },
      60_000,
    );
    assert.notEqual(restarted.containerID, `strata://${crashedPid}`);
    await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 5 });
    await waitFor(
      'the pod to be gone',
      async () => {
        try {
          await core.readNamespacedPod({ name, namespace });
          return undefined;
        } catch (error) {
          // Gone is a 404; any other answer (403, 500, no connection) fails the test with its message.
          if (error instanceof ApiException && error.code === 404) return true;
          throw error;
        }
      },
      30_000,
    );
    await assert.rejects(fetch(`http://${podIP}:2379/health`), 'etcd stopped with its pod');
  });

  it("updates a node's OS and reboots it: NotReady, then Ready with a new boot ID and version", async () => {
    const nodeName = cluster.nodeNames().find((name) => name.includes('worker')) ?? '';
    const os = cluster.operatingSystem(nodeName);
    const before = await core.readNode({ name: nodeName });
    const statuses: UpdateStatus[] = [];
    const unsubscribe = os.updateEngine.onStatusUpdate((status) => statuses.push(status.currentOperation));
    cluster.updates.offer({ version: '4230.2.4' });
    await os.updateEngine.attemptUpdate();
    await waitFor(
      'the update to be staged',
      async () =>
        (await os.updateEngine.getStatus()).currentOperation === 'UPDATE_STATUS_UPDATED_NEED_REBOOT' ? true : undefined,
      20_000,
    );
    unsubscribe();
    assert.deepEqual(
      [...new Set(statuses)],
      [
        'UPDATE_STATUS_CHECKING_FOR_UPDATE',
        'UPDATE_STATUS_UPDATE_AVAILABLE',
        'UPDATE_STATUS_DOWNLOADING',
        'UPDATE_STATUS_VERIFYING',
        'UPDATE_STATUS_FINALIZING',
        'UPDATE_STATUS_UPDATED_NEED_REBOOT',
      ],
    );

    const seenNotReady = waitFor(
      'the node to go NotReady',
      async () => {
        const ready = readyOf(await core.readNode({ name: nodeName }));
        return ready?.status === 'False' ? ready : undefined;
      },
      20_000,
    );
    const rebooted = os.reboot();
    const notReady = await seenNotReady;
    assert.equal(notReady.message, 'node is shutting down');
    await rebooted;
    const after = await waitFor(
      'the node to be Ready again on the new version',
      async () => {
        const node = await core.readNode({ name: nodeName });
        return readyOf(node)?.status === 'True' && node.status?.nodeInfo?.osImage?.includes('4230.2.4')
          ? node
          : undefined;
      },
      30_000,
    );
    assert.notEqual(after.status?.nodeInfo?.bootID, before.status?.nodeInfo?.bootID);
    assert.equal(after.status?.nodeInfo?.osImage, 'Flatcar Container Linux by Kinvolk 4230.2.4 (Oklo)');
  });
});
