import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import { uniqueName, waitFor } from '@strata/harness';
import { FakeOperatingSystem } from './testing/fake-operating-system.ts';
import { startNodeTestCluster, type NodeTestCluster } from './testing/node-cluster.ts';
import { FLEET_LABEL, NodeFleet } from './node-fleet.ts';
import { describeApiError } from '@strata/kube';

const NODES = 50;
/** Long enough to see every node renew about twice at the kubelet's default 10 s. */
const STEADY_WINDOW_MS = 20_000;

let env: NodeTestCluster;
let core: CoreV1Api;
let fleet: NodeFleet;
const errors: string[] = [];

before(async () => {
  env = await startNodeTestCluster();
  core = env.admin.makeApiClient(CoreV1Api);
  fleet = new NodeFleet({
    kubeConfig: env.admin,
    bootstrapKubeConfig: env.bootstrap,
    stateDir: env.stateDir,
    operatingSystem: () => new FakeOperatingSystem(),
    name: uniqueName('fleet'),
    onError: (error, activity) => errors.push(`${activity}: ${describeApiError(error)}`),
  });
});

after(async () => {
  await fleet?.stop();
  await env?.stop();
});

describe(`a fleet of ${NODES} simulated nodes`, () => {
  it('bootstraps, registers and gets every node Ready', async (t) => {
    const startedAt = performance.now();
    await fleet.start({ count: NODES });
    const registeredMs = performance.now() - startedAt;
    await fleet.waitAllReady(120_000);
    const readyMs = performance.now() - startedAt;
    t.diagnostic(
      `${NODES} nodes registered in ${(registeredMs / 1000).toFixed(1)} s, all Ready on the API server in ${(readyMs / 1000).toFixed(1)} s`,
    );
    const counts = fleet.requestCounts();
    t.diagnostic(`requests to get there: ${counts.total} (${JSON.stringify(counts.requests)})`);
    assert.equal(counts.requests['create certificatesigningrequests'], NODES, 'one CSR per node');
    assert.equal(counts.requests['create nodes'], NODES);
    assert.equal(counts.requests['watch pods'], 1, 'one pod watch for the whole fleet');
    assert.equal(fleet.nodes().length, NODES);
    const listed = await core.listNode({ labelSelector: `${FLEET_LABEL}=${fleet.name}` });
    assert.equal(listed.items.length, NODES);
  });

  it('then costs one small lease update per node every 10 s, and nothing else', async (t) => {
    fleet.metrics.reset();
    await sleep(STEADY_WINDOW_MS);
    const counts = fleet.requestCounts();
    const perNodePerMinute = (counts.total / NODES) * (60_000 / counts.sinceMs);
    t.diagnostic(
      `steady state: ${counts.total} requests in ${(counts.sinceMs / 1000).toFixed(1)} s = ${perNodePerMinute.toFixed(2)} per node per minute (${JSON.stringify(counts.requests)})`,
    );
    // The client's informer re-opens a quiet watch every 30 s; that is the fleet's one pod watch, not the nodes.
    const fromNodes = Object.fromEntries(
      Object.entries(counts.requests).filter(([request]) => request !== 'watch pods'),
    );
    assert.deepEqual(Object.keys(fromNodes), ['update leases'], 'only lease renewals');
    assert.equal(counts.errors, 0, JSON.stringify(counts.failures));
    const renewals = fromNodes['update leases'] ?? 0;
    const expected = NODES * (counts.sinceMs / 10_000);
    assert.ok(
      renewals >= expected * 0.8 && renewals <= expected * 1.2,
      `${renewals} renewals, about ${expected.toFixed(0)} expected`,
    );
  });

  it('runs pods on its nodes from the one shared watch', async () => {
    const namespace = uniqueName('fleet-pods');
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await waitFor(
      'the default ServiceAccount',
      async () => ((await core.listNamespacedServiceAccount({ namespace })).items.length > 0 ? true : undefined),
      30_000,
    );
    const targets = [fleet.nodes()[0], fleet.nodes()[NODES - 1]].map((node) => node?.name ?? '');
    for (const [index, nodeName] of targets.entries()) {
      await core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name: `p${index}` },
          spec: { nodeName, containers: [{ name: 'c', image: 'busybox:1.37' }] },
        },
      });
    }
    for (const [index, nodeName] of targets.entries()) {
      const pod = await waitFor(
        `pod p${index} Running`,
        async () => {
          const current = await core.readNamespacedPod({ name: `p${index}`, namespace });
          return current.status?.phase === 'Running' ? current : undefined;
        },
        15_000,
      );
      assert.equal(pod.status?.hostIP, fleet.node(nodeName)?.spec.ip);
    }
  });

  it('takes a node down and back up with its operating system', async () => {
    const node = fleet.nodes()[3];
    assert.ok(node);
    const os = fleet.operatingSystem(node.name);
    assert.ok(os instanceof FakeOperatingSystem);
    const bootBefore = os.bootId();
    await os.reboot();
    const object = await core.readNode({ name: node.name });
    assert.equal(object.status?.nodeInfo?.bootID, os.bootId());
    assert.notEqual(os.bootId(), bootBefore);
    assert.equal(object.status?.conditions?.find((condition) => condition.type === 'Ready')?.status, 'True');
  });

  it('stops, and its Nodes can be deleted', async () => {
    await fleet.stop();
    assert.ok(fleet.nodes().every((node) => node.state === 'stopped'));
    await fleet.deleteNodes();
    await waitFor(
      'the Nodes to be gone',
      async () => {
        const listed = await core.listNode({ labelSelector: `${FLEET_LABEL}=${fleet.name}` });
        return listed.items.length === 0 ? true : undefined;
      },
      30_000,
    );
    assert.deepEqual(errors, []);
  });
});
