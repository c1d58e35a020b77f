// The FleetLock server of a running operator against a real API server: a
// Zincati client (played by HTTP requests from the node's own loopback
// address) and agent-driven nodes (played by patches) share one
// maxUnavailable budget, and only the leader grants; requests that are not a
// Zincati node's own are refused.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, EventsV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { neverDuring, sharedControlPlane, waitFor } from '@strata/harness';
import { CLUSTER_EVENT_NAMESPACE } from '@strata/kube';
import { mergePatch } from '../drain/kube-api.ts';
import {
  createNode,
  createPolicy,
  installCrd,
  markRebootNeeded,
  OperatorTestRun,
  OS_IMAGES,
  readPolicy,
  RUN_LABEL,
  type Replica,
} from '../operator/integration-fixtures.ts';
import { ANNOTATIONS, LABELS, TRUE } from '@strata/api';
import { zincatiClientId } from './app-specific-id.ts';
import { FLEETLOCK_HEADER, FLEETLOCK_HEADER_VALUE, FLEETLOCK_PATHS } from './protocol.ts';
import { EVENT_REASONS } from '../operator/reasons.ts';

let kubeConfig: KubeConfig;

before(async () => {
  kubeConfig = (await sharedControlPlane()).adminKubeConfig();
  await installCrd(kubeConfig);
});

const MACHINE_ID = '1c09ca98649c4c7abc779cd04c96812e';

/** The Fedora CoreOS node's InternalIP: a loopback address this test's requests can come from. */
const FCOS_ADDRESS = '127.0.0.23';

interface Reply {
  readonly status: number;
  readonly kind?: string;
  readonly value?: string;
}

/** A FleetLock request as Zincati sends it, from `from` (the client socket's local address). */
async function fleetLock(replica: Replica, path: string, id: string, from = FCOS_ADDRESS): Promise<Reply> {
  const payload = JSON.stringify({ client_params: { id, group: 'default' } }, null, 2);
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port: replica.running.fleetLockPort ?? 0,
        path,
        method: 'POST',
        localAddress: from,
        headers: { [FLEETLOCK_HEADER]: FLEETLOCK_HEADER_VALUE, 'content-length': Buffer.byteLength(payload) },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: body }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
  if (status === 200) return { status: 200 };
  const body = JSON.parse(text) as { kind: string; value: string };
  return { status, kind: body.kind, value: body.value };
}

/** The FleetLockRefused Events on `node` so far. */
async function refusalEvents(kubeConfig: KubeConfig, node: string): Promise<string[]> {
  const events = await kubeConfig.makeApiClient(EventsV1Api).listNamespacedEvent({
    namespace: CLUSTER_EVENT_NAMESPACE,
    fieldSelector: `regarding.name=${node}`,
  });
  return events.items
    .filter((event) => event.reason === EVENT_REASONS.fleetLockRefused && event.regarding?.kind === 'Node')
    .map((event) => event.note ?? '');
}

/** Fails if, during `ms`, the node is cordoned or holds a FleetLock slot. */
async function neverLocked(kubeConfig: KubeConfig, node: string, ms: number): Promise<void> {
  await neverDuring<V1Node>(kubeConfig, {
    what: `node ${node} cordoned or holding a FleetLock slot`,
    path: '/api/v1/nodes',
    name: node,
    ms,
    forbidden: (object) =>
      object.spec?.unschedulable === true
        ? 'it was cordoned'
        : object.metadata?.annotations?.[ANNOTATIONS.fleetLockHolder] !== undefined
          ? `it holds a slot for ${object.metadata.annotations[ANNOTATIONS.fleetLockHolder] ?? ''}`
          : undefined,
  });
}

describe('FleetLock server of a running operator', () => {
  it('shares one budget with agent-driven nodes, drains before granting, and uncordons at steady-state', async () => {
    const run = new OperatorTestRun(kubeConfig);
    await run.setUp();
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const node = async (name: string): Promise<V1Node> => core.readNode({ name });
    const [agent1, agent2, fcos] = [`${run.id}-agent-1`, `${run.id}-agent-2`, `${run.id}-fcos`];
    const clientId = zincatiClientId(MACHINE_ID);
    try {
      await createNode(kubeConfig, run.id, agent1);
      await createNode(kubeConfig, run.id, agent2);
      await createNode(kubeConfig, run.id, fcos, {
        machineId: MACHINE_ID,
        osImage: OS_IMAGES.fedoraCoreOs,
        internalIp: FCOS_ADDRESS,
      });
      await createPolicy(kubeConfig, run.id, run.id, {
        nodeSelector: { matchLabels: { [RUN_LABEL]: run.id } },
        maxUnavailable: 1,
      });
      await run.startReplica();
      await run.startReplica();
      const leader = await run.waitForLeader();
      const standby = run.replicas.find((replica) => replica !== leader);
      assert.ok(standby);

      // The standby names the leader once its own campaign has read the Lease.
      const fromStandby = await waitFor('the standby to name the leader', async () => {
        const reply = await fleetLock(standby, FLEETLOCK_PATHS.preReboot, clientId);
        assert.equal(reply.status, 503);
        assert.equal(reply.kind, 'not_leader');
        return reply.value?.includes(leader.name) === true ? reply : undefined;
      });
      assert.match(fromStandby.value ?? '', /standby/);

      const unknown = await fleetLock(leader, FLEETLOCK_PATHS.preReboot, 'ffffffffffffffffffffffffffffffff');
      assert.equal(unknown.status, 422);
      assert.equal(unknown.kind, 'unknown_client');

      // An agent-driven node takes the only slot first.
      await markRebootNeeded(kubeConfig, agent1);
      await waitFor(
        'agent-1 to be approved',
        async () => ((await node(agent1)).metadata?.annotations?.[ANNOTATIONS.rebootOk] === TRUE ? true : undefined),
        10_000,
      );
      const refused = await fleetLock(leader, FLEETLOCK_PATHS.preReboot, clientId);
      assert.equal(refused.status, 409);
      assert.equal(refused.kind, 'failed_lock');
      assert.match(refused.value ?? '', /slots/);
      assert.equal((await node(fcos)).spec?.unschedulable, undefined, 'a refused node is not cordoned');

      // agent-2 starts needing a reboot after the FleetLock client first asked: the client is ahead of it in the queue.
      await markRebootNeeded(kubeConfig, agent2);
      await core.patchNode(
        { name: agent1, body: { metadata: { annotations: { [ANNOTATIONS.rebootNeeded]: 'false' } } } },
        mergePatch(),
      );
      await waitFor(
        'agent-1 to be cleared',
        async () =>
          (await node(agent1)).metadata?.annotations?.[ANNOTATIONS.rebootOk] === undefined ? true : undefined,
        10_000,
      );

      const granted = await waitFor(
        'the FleetLock client to get the slot',
        async () => {
          const reply = await fleetLock(leader, FLEETLOCK_PATHS.preReboot, clientId);
          return reply.status === 200 ? reply : undefined;
        },
        20_000,
      );
      assert.equal(granted.status, 200);
      const locked = await node(fcos);
      assert.equal(locked.metadata?.annotations?.[ANNOTATIONS.fleetLockHolder], clientId);
      assert.equal(locked.metadata?.annotations?.[ANNOTATIONS.fleetLockMadeUnschedulable], TRUE);
      assert.equal(locked.spec?.unschedulable, true, 'the node was cordoned (and drained) before the lock was granted');
      assert.equal((await fleetLock(leader, FLEETLOCK_PATHS.preReboot, clientId)).status, 200, 'the lock is recursive');

      await sleep(1000);
      assert.equal(
        (await node(agent2)).metadata?.annotations?.[ANNOTATIONS.rebootOk],
        undefined,
        'agent-2 waits while the FleetLock client holds the slot',
      );

      assert.equal((await fleetLock(leader, FLEETLOCK_PATHS.steadyState, clientId)).status, 200);
      const released = await node(fcos);
      assert.equal(released.metadata?.annotations?.[ANNOTATIONS.fleetLockHolder], undefined);
      assert.equal(released.metadata?.annotations?.[ANNOTATIONS.fleetLockMadeUnschedulable], undefined);
      assert.notEqual(released.spec?.unschedulable, true, 'uncordoned at steady-state');
      assert.equal(
        (await fleetLock(leader, FLEETLOCK_PATHS.steadyState, clientId)).status,
        200,
        'unlocking is idempotent',
      );

      await waitFor(
        'agent-2 to get the freed slot',
        async () => ((await node(agent2)).metadata?.annotations?.[ANNOTATIONS.rebootOk] === TRUE ? true : undefined),
        10_000,
      );

      const metrics = await (await fetch(`http://127.0.0.1:${leader.running.metricsPort ?? 0}/metrics`)).text();
      assert.match(
        metrics,
        /strata_update_operator_fleetlock_requests_total\{endpoint="pre-reboot",outcome="failed_lock"\} [1-9]/,
      );
      assert.match(
        metrics,
        new RegExp(`strata_update_operator_reboots_started_total\\{policy="${run.id}",source="fleetlock"\\} 1`),
      );
    } finally {
      await run.tearDown();
    }
  });
});

describe("FleetLock with the policy's hooks", () => {
  it('holds a Zincati node at the before-reboot hooks before its lock, and at the after-reboot hooks after steady-state', async () => {
    const run = new OperatorTestRun(kubeConfig);
    await run.setUp();
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const fcos = `${run.id}-fcos`;
    const node = async (): Promise<V1Node> => core.readNode({ name: fcos });
    const clientId = zincatiClientId(MACHINE_ID);
    const [beforeHook, afterHook] = ['test.update.strata.dev/ready-to-reboot', 'test.update.strata.dev/healthy'];
    const setHook = (hook: string): Promise<V1Node> =>
      core.patchNode({ name: fcos, body: { metadata: { annotations: { [hook]: TRUE } } } }, mergePatch());
    const slotHolders = async (): Promise<string | undefined> =>
      (await readPolicy(kubeConfig, run.id)).status?.inProgress?.join();
    try {
      await createNode(kubeConfig, run.id, fcos, {
        machineId: MACHINE_ID,
        osImage: OS_IMAGES.fedoraCoreOs,
        internalIp: FCOS_ADDRESS,
      });
      await createPolicy(kubeConfig, run.id, run.id, {
        nodeSelector: { matchLabels: { [RUN_LABEL]: run.id } },
        maxUnavailable: 1,
        hooks: { beforeReboot: [beforeHook], afterReboot: [afterHook] },
      });
      await run.startReplica();
      const leader = await run.waitForLeader();
      const ask = (path: string): Promise<Reply> => fleetLock(leader, path, clientId);

      const held = await waitFor(
        'the pre-reboot to be held at the before-reboot hook',
        async () => {
          const reply = await ask(FLEETLOCK_PATHS.preReboot);
          return reply.value?.includes('before-reboot hooks') === true ? reply : undefined;
        },
        20_000,
      );
      assert.equal(held.status, 409);
      assert.equal(held.kind, 'failed_lock');
      const waiting = await node();
      assert.equal(waiting.metadata?.labels?.[LABELS.beforeReboot], TRUE);
      assert.equal(waiting.metadata?.annotations?.[ANNOTATIONS.fleetLockRequester], clientId);
      assert.equal(waiting.metadata?.annotations?.[ANNOTATIONS.fleetLockHolder], undefined, 'no lock yet');
      assert.notEqual(waiting.spec?.unschedulable, true, 'not cordoned before the hooks');
      assert.equal(
        await waitFor('the slot counted', async () => ((await slotHolders()) === fcos ? true : undefined)),
        true,
      );

      await setHook(beforeHook);
      await waitFor(
        'the lock once the hook says "true"',
        async () => ((await ask(FLEETLOCK_PATHS.preReboot)).status === 200 ? true : undefined),
        20_000,
      );
      const locked = await node();
      assert.equal(locked.metadata?.annotations?.[ANNOTATIONS.fleetLockHolder], clientId);
      assert.equal(locked.metadata?.annotations?.[ANNOTATIONS.fleetLockRequester], undefined);
      assert.equal(locked.metadata?.annotations?.[beforeHook], undefined, 'the hook annotation is consumed');
      assert.equal(locked.metadata?.labels?.[LABELS.beforeReboot], undefined);
      assert.equal(locked.spec?.unschedulable, true, 'cordoned and drained');

      // Rebooted; Zincati reports steady-state.
      assert.equal((await ask(FLEETLOCK_PATHS.steadyState)).status, 200);
      const back = await node();
      assert.equal(back.metadata?.labels?.[LABELS.afterReboot], TRUE);
      assert.equal(back.metadata?.annotations?.[ANNOTATIONS.fleetLockHolder], clientId, 'the slot stays held');
      assert.notEqual(back.spec?.unschedulable, true, 'uncordoned at steady-state');
      assert.equal((await ask(FLEETLOCK_PATHS.steadyState)).status, 200, 'steady-state again is answered alike');
      const again = await ask(FLEETLOCK_PATHS.preReboot);
      assert.equal(again.status, 409);
      assert.match(again.value ?? '', /after-reboot hooks/);
      assert.equal(await slotHolders(), fcos);

      await setHook(afterHook);
      await waitFor(
        'the lock cleared once the after-reboot hook says "true"',
        async () => {
          const current = await node();
          const annotations = current.metadata?.annotations ?? {};
          return annotations[ANNOTATIONS.fleetLockHolder] === undefined &&
            annotations[afterHook] === undefined &&
            current.metadata?.labels?.[LABELS.afterReboot] === undefined
            ? true
            : undefined;
        },
        20_000,
      );
      await waitFor('the slot freed in the status', async () => ((await slotHolders()) === '' ? true : undefined));
      const metrics = await (await fetch(`http://127.0.0.1:${leader.running.metricsPort ?? 0}/metrics`)).text();
      assert.match(metrics, new RegExp(`strata_update_operator_reboots_completed_total\\{policy="${run.id}"\\} 1`));
    } finally {
      await run.tearDown();
    }
  });
});

describe('FleetLock from the host is refused', () => {
  const FLATCAR_MACHINE_ID = '5b1f0e1a3c2d4e6f8a9b0c1d2e3f4a5b';
  const ZINCATI_MACHINE_ID = '9e8d7c6b5a4f4e3d8c2b1a0f9e8d7c6b';
  const ZINCATI_ADDRESS = '127.0.0.24';

  /** Asks until the leader's caches are complete, so that the answer is about the request. */
  const leaderAnswer = (leader: Replica, path: string, id: string, from: string): Promise<Reply> =>
    waitFor(`the leader to answer ${path} from ${from}`, async () => {
      const reply = await fleetLock(leader, path, id, from);
      return reply.kind === 'not_ready' ? undefined : reply;
    });

  it("refuses a pre-reboot for a Flatcar node's id, even from its own address: no drain, no slot, one Event", async () => {
    const run = new OperatorTestRun(kubeConfig);
    await run.setUp();
    const [flatcar, agent] = [`${run.id}-flatcar`, `${run.id}-agent`];
    try {
      // The Flatcar node's address is the host's own: only the OS rule can refuse it.
      await createNode(kubeConfig, run.id, flatcar, { machineId: FLATCAR_MACHINE_ID, internalIp: '127.0.0.1' });
      await createNode(kubeConfig, run.id, agent);
      await createPolicy(kubeConfig, run.id, run.id, {
        nodeSelector: { matchLabels: { [RUN_LABEL]: run.id } },
        maxUnavailable: 1,
      });
      await run.startReplica();
      const leader = await run.waitForLeader();

      const refused = await leaderAnswer(
        leader,
        FLEETLOCK_PATHS.preReboot,
        zincatiClientId(FLATCAR_MACHINE_ID),
        '127.0.0.1',
      );
      assert.equal(refused.status, 403);
      assert.equal(refused.kind, 'not_zincati_node');
      assert.match(refused.value ?? '', /Flatcar/);
      const events = await waitFor('the refusal Event on the node', async () => {
        const notes = await refusalEvents(kubeConfig, flatcar);
        return notes.length > 0 ? notes : undefined;
      });
      assert.match(events[0] ?? '', /from 127\.0\.0\.1 refused \(not_zincati_node\)/);

      // A flood of the same request: every one refused, no drain, no slot, and no second Event.
      const flood = await Promise.all(
        Array.from({ length: 30 }, () =>
          fleetLock(leader, FLEETLOCK_PATHS.preReboot, zincatiClientId(FLATCAR_MACHINE_ID), '127.0.0.1'),
        ),
      );
      assert.deepEqual(
        new Set(flood.map((reply) => `${reply.status} ${reply.kind ?? ''}`)),
        new Set(['403 not_zincati_node']),
      );
      const seen = new Set<string>();
      await Promise.all([
        neverLocked(kubeConfig, flatcar, 2_000),
        neverDuring<{ metadata?: { name?: string }; reason?: string; regarding?: { name?: string } }>(kubeConfig, {
          what: `a second FleetLockRefused Event on ${flatcar}`,
          path: `/apis/events.k8s.io/v1/namespaces/${CLUSTER_EVENT_NAMESPACE}/events`,
          ms: 2_000,
          forbidden: (event) => {
            if (event.reason !== EVENT_REASONS.fleetLockRefused || event.regarding?.name !== flatcar) return undefined;
            seen.add(event.metadata?.name ?? '');
            return seen.size > 1 ? `${seen.size} refusal Events were recorded` : undefined;
          },
        }),
      ]);

      // The budget is free: the agent-driven node gets the only slot.
      await markRebootNeeded(kubeConfig, agent);
      await waitFor(
        'the agent-driven node to be approved',
        async () =>
          (await kubeConfig.makeApiClient(CoreV1Api).readNode({ name: agent })).metadata?.annotations?.[
            ANNOTATIONS.rebootOk
          ] === TRUE
            ? true
            : undefined,
        10_000,
      );
    } finally {
      await run.tearDown();
    }
  });

  it("refuses a Zincati node's request from another address and grants it from the node's own", async () => {
    const run = new OperatorTestRun(kubeConfig);
    await run.setUp();
    const fcos = `${run.id}-fcos`;
    const id = zincatiClientId(ZINCATI_MACHINE_ID);
    try {
      await createNode(kubeConfig, run.id, fcos, {
        machineId: ZINCATI_MACHINE_ID,
        osImage: OS_IMAGES.fedoraCoreOs,
        internalIp: ZINCATI_ADDRESS,
      });
      await createPolicy(kubeConfig, run.id, run.id, {
        nodeSelector: { matchLabels: { [RUN_LABEL]: run.id } },
        maxUnavailable: 1,
      });
      await run.startReplica();
      const leader = await run.waitForLeader();

      const fromHost = await leaderAnswer(leader, FLEETLOCK_PATHS.preReboot, id, '127.0.0.1');
      assert.equal(fromHost.status, 403);
      assert.equal(fromHost.kind, 'wrong_source_address');
      assert.match(
        fromHost.value ?? '',
        new RegExp(`${ZINCATI_ADDRESS.replaceAll('.', '\\.')}.*not from 127\\.0\\.0\\.1`),
      );
      const notes = await waitFor('the refusal Event on the node', async () => {
        const found = await refusalEvents(kubeConfig, fcos);
        return found.length > 0 ? found : undefined;
      });
      assert.match(notes[0] ?? '', /from 127\.0\.0\.1 refused \(wrong_source_address\)/);
      await neverLocked(kubeConfig, fcos, 1_500);

      const fromNode = await fleetLock(leader, FLEETLOCK_PATHS.preReboot, id, ZINCATI_ADDRESS);
      assert.equal(fromNode.status, 200, JSON.stringify(fromNode));
      const core = kubeConfig.makeApiClient(CoreV1Api);
      assert.equal((await core.readNode({ name: fcos })).metadata?.annotations?.[ANNOTATIONS.fleetLockHolder], id);

      // Releasing is the node's own business too.
      const unlockFromHost = await fleetLock(leader, FLEETLOCK_PATHS.steadyState, id, '127.0.0.1');
      assert.equal(unlockFromHost.kind, 'wrong_source_address');
      assert.equal((await core.readNode({ name: fcos })).metadata?.annotations?.[ANNOTATIONS.fleetLockHolder], id);
      assert.equal((await fleetLock(leader, FLEETLOCK_PATHS.steadyState, id, ZINCATI_ADDRESS)).status, 200);
      assert.equal(
        (await core.readNode({ name: fcos })).metadata?.annotations?.[ANNOTATIONS.fleetLockHolder],
        undefined,
      );
    } finally {
      await run.tearDown();
    }
  });

  it('refuses an id that two nodes share (cloned machine ids), from either node, naming both', async () => {
    const run = new OperatorTestRun(kubeConfig);
    await run.setUp();
    const [first, second] = [`${run.id}-clone-a`, `${run.id}-clone-b`];
    const CLONED_MACHINE_ID = '0f1e2d3c4b5a49788796a5b4c3d2e1f0';
    try {
      await createNode(kubeConfig, run.id, first, {
        machineId: CLONED_MACHINE_ID,
        osImage: OS_IMAGES.fedoraCoreOs,
        internalIp: '127.0.0.25',
      });
      await createNode(kubeConfig, run.id, second, {
        machineId: CLONED_MACHINE_ID,
        osImage: OS_IMAGES.fedoraCoreOs,
        internalIp: '127.0.0.26',
      });
      await createPolicy(kubeConfig, run.id, run.id, {
        nodeSelector: { matchLabels: { [RUN_LABEL]: run.id } },
        maxUnavailable: 2,
      });
      await run.startReplica();
      const leader = await run.waitForLeader();
      const id = zincatiClientId(CLONED_MACHINE_ID);
      for (const from of ['127.0.0.25', '127.0.0.26']) {
        const reply = await leaderAnswer(leader, FLEETLOCK_PATHS.preReboot, id, from);
        assert.equal(reply.status, 409, JSON.stringify(reply));
        assert.equal(reply.kind, 'ambiguous_client');
        assert.match(reply.value ?? '', new RegExp(`${first}, ${second}`));
      }
      for (const node of [first, second]) {
        await waitFor(`the refusal Event on ${node}`, async () =>
          (await refusalEvents(kubeConfig, node)).some((note) => note.includes('ambiguous_client')) ? true : undefined,
        );
      }
      await Promise.all([neverLocked(kubeConfig, first, 1_000), neverLocked(kubeConfig, second, 1_000)]);
    } finally {
      await run.tearDown();
    }
  });
});
