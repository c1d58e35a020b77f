// The FleetLock server of a running operator against a real API server: a
// Zincati client (played by fetch) and agent-driven nodes (played by patches)
// share one maxUnavailable budget, and only the leader grants.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import { sharedControlPlane, waitFor } from '@strata/harness';
import { mergePatch } from '../drain/kube-api.ts';
import {
  createNode,
  createPolicy,
  installCrd,
  markRebootNeeded,
  OperatorTestRun,
  RUN_LABEL,
  type Replica,
} from '../operator/integration-fixtures.ts';
import { ANNOTATIONS, TRUE } from '@strata/api';
import { zincatiClientId } from './app-specific-id.ts';
import { FLEETLOCK_HEADER, FLEETLOCK_HEADER_VALUE, FLEETLOCK_PATHS } from './protocol.ts';

let kubeConfig: KubeConfig;

before(async () => {
  kubeConfig = (await sharedControlPlane()).adminKubeConfig();
  await installCrd(kubeConfig);
});

const MACHINE_ID = '1c09ca98649c4c7abc779cd04c96812e';

interface Reply {
  readonly status: number;
  readonly kind?: string;
  readonly value?: string;
}

async function fleetLock(replica: Replica, path: string, id: string): Promise<Reply> {
  const response = await fetch(`http://127.0.0.1:${replica.running.fleetLockPort ?? 0}${path}`, {
    method: 'POST',
    headers: { [FLEETLOCK_HEADER]: FLEETLOCK_HEADER_VALUE },
    body: JSON.stringify({ client_params: { id, group: 'default' } }, null, 2),
  });
  const text = await response.text();
  if (response.status === 200) return { status: 200 };
  const body = JSON.parse(text) as { kind: string; value: string };
  return { status: response.status, kind: body.kind, value: body.value };
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
        labels: { 'node.kubernetes.io/os-id': 'fedora-coreos' },
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
