// A cluster rolled forward through its own update server, end to end: the
// bootstrap manifests install the server (one replica on the first
// controller's host network, TLS from the cluster CA, SQLite on a claim) and
// every node's rendered update.conf names it, with the default channels, the
// nodes' group and the release they run; the test publishes the next release
// (its payload on a server of its own) and promotes it to `stable` with the
// same function `strata update promote` uses. The simulated machines check in on
// their own schedule over real Omaha, download and verify the payload, install
// it; the update operator reboots them within its budget (the server's own
// controller too, so the server restarts mid-rollout on the same data); and
// the server's JSON API shows each machine's events in order. Runs a local cluster: take
// the shared address lock (see the repository's test notes).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import {
  ASSET_PATHS,
  CERT,
  UPDATE_SERVER_NAMESPACE,
  UPDATE_SERVER_POD_LABELS,
  UPDATE_SERVER_PORTS,
} from '@strata/assets';
import { UPDATE_RELEASE } from '@strata/api';
import { waitFor } from '@strata/host';
import { aPayload, startPayloadServer, type PayloadServer } from '@strata/omaha/testing';
import { controllerRoot, readUpdateConf } from '@strata/platform-local';
import { FAST_UPDATE_TIMINGS } from '@strata/platform-local/testing';
import { UpdateApiClient, UpdateResources } from '@strata/update-server';
import { aReleaseResource, forCreation } from '@strata/update-server/testing';
import type { z } from 'zod';
import { BudgetInvariant } from './invariant.ts';
import { countBoots, INITIAL_VERSION, RolloutCluster } from './rollout-cluster.ts';
import { machinesSchema, stepsFor, timelineSchema, updateViewerToken } from './update-server-viewer.ts';

const NEXT_VERSION = '4230.2.4';
/** The nodes' GROUP=: the local config's OS channel. */
const TRACK = 'stable';
const CHANNEL = 'stable';
/** The default UpdatePolicy's budget: one node down at a time. */
const MAX_UNAVAILABLE = 1;
/** The machines check in on their own, as update_engine does, only much more often. */
const TIMINGS = { ...FAST_UPDATE_TIMINGS, firstCheckDelayMs: 1_000, checkIntervalMs: 2_000, checkFuzzMs: 500 };

const log = (line: string): void => {
  process.stderr.write(`# ${line}\n`);
};

let rollout: RolloutCluster;
let payloads: PayloadServer;
let api: UpdateApiClient;
let serverUrl: string;

async function createClusterObject(
  kind: { readonly group: string; readonly version: string; readonly plural: string },
  body: object,
): Promise<void> {
  await rollout.custom.createClusterCustomObject({
    group: kind.group,
    version: kind.version,
    plural: kind.plural,
    body,
  });
}

/** A release whose payload the payload server holds, as a resource to create. */
function releaseOf(version: string) {
  const payload = aPayload(`Flatcar ${version} USR partition`);
  const path = `/flatcar/${version}/flatcar_production_update.gz`;
  payloads.serve(path, payload.bytes);
  return forCreation(
    aReleaseResource(`flatcar-${version}`, {
      version,
      payloadUrl: payloads.url(path),
      sha256: payload.sha256,
      sha1: payload.sha1,
      size: payload.bytes.length,
    }),
  );
}

async function machines(): Promise<z.output<typeof machinesSchema>['items']> {
  const answer = await api.get(`/machines?group=${TRACK}`);
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return machinesSchema.parse(answer.body).items;
}

const isReady = (pod: V1Pod): boolean =>
  pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') === true;

/** The server's Ready pod, by UID and its container's restarts, once there is one. */
async function readyServerPod(timeoutMs: number): Promise<{ readonly uid: string; readonly restarts: number }> {
  const selector = Object.entries(UPDATE_SERVER_POD_LABELS)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
  return waitFor(
    'the update server pod to be Ready',
    async () => {
      const pods = await rollout.core.listNamespacedPod({
        namespace: UPDATE_SERVER_NAMESPACE,
        labelSelector: selector,
      });
      const ready = pods.items.find(isReady);
      return ready === undefined
        ? undefined
        : { uid: ready.metadata?.uid ?? '', restarts: ready.status?.containerStatuses?.[0]?.restartCount ?? 0 };
    },
    { timeoutMs, intervalMs: 500 },
  );
}

before(
  async () => {
    const started = performance.now();
    payloads = await startPayloadServer();
    rollout = await RolloutCluster.start({
      workers: 2,
      updateSource: 'update-conf',
      os: { rebootDelayMs: 500, timings: TIMINGS },
    });
    const controller = rollout.cluster.topology.controllers[0]?.name ?? '';
    const conf = await readUpdateConf(controllerRoot(rollout.cluster.directory.path, controller));
    serverUrl = conf.server ?? '';
    await readyServerPod(60_000);
    api = new UpdateApiClient({
      baseUrl: new URL(serverUrl).origin,
      token: await updateViewerToken(rollout.kubeConfig),
      caPem: await readFile(join(rollout.cluster.directory.assetsDir, CERT(ASSET_PATHS.clusterCa)), 'utf8'),
    });
    log(`cluster with its update server up in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  },
  { timeout: 180_000 },
);

after(async () => {
  await rollout?.destroy();
  await payloads?.close();
});

describe('a rollout through the cluster’s own update server', () => {
  it('names the server in every node’s update.conf, at the first controller’s host port', () => {
    const controller = rollout.cluster.topology.controllers[0];
    assert.equal(
      serverUrl,
      `https://${controller?.etcdHost ?? '(none)'}:${UPDATE_SERVER_PORTS.https}/v1/update/`,
      'SERVER= in the rendered update.conf',
    );
  });

  it(
    'rolls every node forward after a promotion, rebooting within the budget, with each machine’s history in order',
    { timeout: 150_000 },
    async () => {
      const nodes = rollout.nodeNames();
      // The channels, the group of the nodes' GROUP= and the release they run are rendered into every cluster; the
      // next release is published here, its payload on a server of the test's own (not a simulated payload).
      await createClusterObject(UPDATE_RELEASE, releaseOf(NEXT_VERSION));

      // Every machine checks in on its own schedule and is told there is nothing newer than what it runs.
      const known = await waitFor(
        `all ${nodes.length} machines to check in on ${INITIAL_VERSION}`,
        async () => {
          const seen = await machines();
          return seen.length === nodes.length && seen.every((machine) => machine.currentVersion === INITIAL_VERSION)
            ? seen
            : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      const machineIds = new Map(nodes.map((name) => [name, rollout.cluster.operatingSystem(name).machineId]));
      assert.deepEqual(
        known.map((machine) => machine.machineId).sort(),
        [...machineIds.values()].sort(),
        'the server knows each node by its machine ID',
      );

      const serverBefore = await readyServerPod(10_000);
      const invariant = new BudgetInvariant(rollout.nodes, { maxUnavailable: MAX_UNAVAILABLE });
      const boots = countBoots(rollout, nodes);
      const started = performance.now();
      // The same call `strata update promote` makes.
      const promotion = await new UpdateResources(rollout.kubeConfig).promote(CHANNEL, { version: NEXT_VERSION });
      assert.deepEqual(promotion, {
        channel: CHANNEL,
        release: `flatcar-${NEXT_VERSION}`,
        version: NEXT_VERSION,
        // The rendered channels offer nothing until a release is promoted.
        previousRelease: null,
        changed: true,
      });

      await rollout.waitForVersion(NEXT_VERSION, nodes, 120_000);
      log(`every node on ${NEXT_VERSION} ${((performance.now() - started) / 1000).toFixed(1)} s after the promotion`);
      invariant.stop();
      boots.stop();
      invariant.assertHeld();
      assert.deepEqual(boots.notOnce(), [], 'each node rebooted exactly once');

      // The server's own controller rebooted in the rollout: its replica was stopped and started again, on the same
      // data, in the middle of the rollout. Every machine's record must have come through whole.
      const serverAfter = await readyServerPod(60_000);
      assert.ok(
        serverAfter.uid !== serverBefore.uid || serverAfter.restarts > serverBefore.restarts,
        'the update server restarted during the rollout',
      );
      // The check after the reboot carries previousversion: the server records the update complete.
      for (const [node, machineId] of machineIds) {
        const record = await waitFor(
          `the server to record ${node}'s update complete`,
          async () => {
            const answer = await api.get(`/machines/${machineId}`);
            assert.equal(answer.status, 200, JSON.stringify(answer.body));
            const parsed = timelineSchema.parse(answer.body);
            return parsed.state === 'complete' ? parsed : undefined;
          },
          // A restarted server may take a moment to listen again: a refused connection is retried, and reported
          // with the timeout if it lasts.
          { timeoutMs: 30_000, intervalMs: 500, retryErrors: true },
        );
        assert.equal(record.currentVersion, NEXT_VERSION, node);
        assert.deepEqual(
          stepsFor(record, NEXT_VERSION),
          ['granted', 'downloading', 'downloaded', 'installed', 'complete'],
          `${node}'s history: ${JSON.stringify(record.timeline)}`,
        );
      }
    },
  );
});
