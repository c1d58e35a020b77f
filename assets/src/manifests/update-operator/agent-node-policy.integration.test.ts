import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import { sharedControlPlane, uniqueName, waitFor } from '@strata/harness';
import { renderBootstrapManifests } from '../render.ts';
import { manifestInputs } from '../test-fixtures.ts';
import { applyManifestObject } from '@strata/kube';
import { UPDATE_OPERATOR_NAMESPACE, UPDATE_OPERATOR_NAMES } from './names.ts';

// Agents are simulated by what the kubelet would give them: a ServiceAccount token bound to a Pod that is bound to
// a Node. The Nodes and the Pod have unique names and are deleted afterwards; no kubelet or scheduler is needed.

const cluster = await sharedControlPlane();
const admin = cluster.adminKubeConfig();
const core = admin.makeApiClient(CoreV1Api);

const nodeA = uniqueName('agent-node-a');
const nodeB = uniqueName('agent-node-b');
const agentPod = uniqueName('update-agent');

/** A kubeconfig that authenticates with `token` against the same API server. */
function kubeConfigWithToken(token: string): KubeConfig {
  const server = admin.getCurrentCluster();
  assert.ok(server, 'the admin kubeconfig names a cluster');
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [server],
    users: [{ name: 'token', token }],
    contexts: [{ name: 'token', cluster: server.name, user: 'token' }],
    currentContext: 'token',
  });
  return config;
}

/** A client that authenticates with `token` against the same API server. */
const clientWithToken = (token: string): KubernetesObjectApi =>
  KubernetesObjectApi.makeApiClient(kubeConfigWithToken(token));

async function tokenFor(serviceAccount: string, pod?: V1Pod): Promise<string> {
  const answer = await core.createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace: UPDATE_OPERATOR_NAMESPACE,
    body: {
      spec: {
        audiences: [],
        expirationSeconds: 600,
        ...(pod === undefined
          ? {}
          : {
              boundObjectRef: {
                apiVersion: 'v1',
                kind: 'Pod',
                name: pod.metadata?.name ?? '',
                uid: pod.metadata?.uid ?? '',
              },
            }),
      },
    },
  });
  assert.ok(answer.status?.token);
  return answer.status.token;
}

/** Patches Node `name` with a strategic merge patch as `client`; resolves to the refusal's message, or undefined. */
async function patchNode(
  client: KubernetesObjectApi,
  name: string,
  patch: Omit<V1Node, 'apiVersion' | 'kind'>,
): Promise<string | undefined> {
  const body: V1Node = { ...patch, apiVersion: 'v1', kind: 'Node', metadata: { ...patch.metadata, name } };
  try {
    await client.patch(body, undefined, undefined, undefined, undefined, PatchStrategy.StrategicMergePatch);
    return undefined;
  } catch (error) {
    if (!(error instanceof ApiException) || error.code !== 403) throw error;
    return String(error.body);
  }
}

const readNode = (name: string) => core.readNode({ name });

/** What `metadata` of a JSON merge patch holds: a string sets a key, null removes it. */
type MergeMap = Readonly<Record<string, string | null>>;

/** A JSON merge patch of a Node, of the shape the operator's NodeWriter and cordon send. */
interface NodeMergePatch {
  readonly metadata?: {
    readonly resourceVersion?: string;
    readonly labels?: MergeMap;
    readonly annotations?: MergeMap;
  };
  readonly spec?: Readonly<Record<string, unknown>>;
}

/** Sends `patch` to Node `name` as a JSON merge patch; resolves to the refusal's message, or undefined. */
async function mergePatchNode(client: CoreV1Api, name: string, patch: NodeMergePatch): Promise<string | undefined> {
  try {
    await client.patchNode({ name, body: patch }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    return undefined;
  } catch (error) {
    if (!(error instanceof ApiException) || error.code !== 403) throw error;
    return String(error.body);
  }
}

describe('the update agent may patch only its own Node, and only the update keys', () => {
  let agent: KubernetesObjectApi;

  before(async () => {
    const files = renderBootstrapManifests(manifestInputs()).filter((file) =>
      ['00-namespaces.yaml', '50-update-operator-crd.yaml', '51-update-operator.yaml'].includes(file.fileName),
    );
    for (const object of files.flatMap((file) => file.objects)) await applyManifestObject(admin, object, 'strata-test');
    for (const name of [nodeA, nodeB]) {
      await core.createNode({ body: { metadata: { name, labels: { pool: 'blue' } }, spec: {} } });
    }
    const pod = await core.createNamespacedPod({
      namespace: UPDATE_OPERATOR_NAMESPACE,
      body: {
        metadata: { name: agentPod },
        spec: {
          serviceAccountName: UPDATE_OPERATOR_NAMES.agent,
          nodeName: nodeA,
          containers: [{ name: 'agent', image: 'registry.invalid/never-pulled:v0' }],
        },
      },
    });
    agent = clientWithToken(await tokenFor(UPDATE_OPERATOR_NAMES.agent, pod));
    // The admission policy takes effect a moment after it is created.
    await waitFor('the agent node policy to be enforced', async () =>
      (await patchNode(agent, nodeB, { metadata: { annotations: { 'update.strata.dev/probe': 'true' } } })) ===
      undefined
        ? undefined
        : true,
    );
  });

  after(async () => {
    await core.deleteNamespacedPod({ name: agentPod, namespace: UPDATE_OPERATOR_NAMESPACE, gracePeriodSeconds: 0 });
    for (const name of [nodeA, nodeB]) await core.deleteNode({ name });
  });

  it('lets the agent write update annotations and labels on its own Node, and cordon it', async () => {
    assert.equal(
      await patchNode(agent, nodeA, {
        metadata: {
          annotations: {
            'update.strata.dev/reboot-needed': 'true',
            'update.strata.dev/status': 'UPDATE_STATUS_UPDATED_NEED_REBOOT',
          },
          labels: { 'update.strata.dev/reboot-needed': 'true', 'update.strata.dev/version': '4459.2.1' },
        },
        spec: { unschedulable: true },
      }),
      undefined,
    );
    const node = await readNode(nodeA);
    assert.equal(node.metadata?.annotations?.['update.strata.dev/reboot-needed'], 'true');
    assert.equal(node.metadata?.labels?.['update.strata.dev/version'], '4459.2.1');
    assert.equal(node.spec?.unschedulable, true);
    assert.equal(await patchNode(agent, nodeA, { spec: { unschedulable: false } }), undefined, 'and uncordon it');
  });

  it('refuses the agent any patch of another Node, naming both', async () => {
    const refusal = await patchNode(agent, nodeB, {
      metadata: { annotations: { 'update.strata.dev/reboot-ok': 'true' } },
    });
    assert.ok(refusal);
    assert.match(refusal, new RegExp(`update agent of node ${nodeA} may patch only its own Node, not ${nodeB}`));
    assert.equal((await readNode(nodeB)).metadata?.annotations?.['update.strata.dev/reboot-ok'], undefined);
    assert.match(
      (await patchNode(agent, nodeB, { spec: { unschedulable: true } })) ?? '',
      /may patch only its own Node/,
    );
  });

  it('refuses the agent a change to a label outside the update prefix on its own Node', async () => {
    assert.match(
      (await patchNode(agent, nodeA, { metadata: { labels: { pool: 'red' } } })) ?? '',
      /only labels under update\.strata\.dev\//,
    );
    assert.match(
      (await patchNode(agent, nodeA, { metadata: { labels: { 'node-role.kubernetes.io/worker': '' } } })) ?? '',
      /only labels/,
    );
    assert.equal((await readNode(nodeA)).metadata?.labels?.['pool'], 'blue');
  });

  it('refuses the agent other annotations, taints and spec fields of its own Node', async () => {
    assert.match(
      (await patchNode(agent, nodeA, { metadata: { annotations: { 'example.com/owner': 'me' } } })) ?? '',
      /only annotations under/,
    );
    assert.match(
      (await patchNode(agent, nodeA, { spec: { taints: [{ key: 'example.com/evict', effect: 'NoExecute' }] } })) ?? '',
      /only spec\.unschedulable/,
    );
    assert.match(
      (await patchNode(agent, nodeA, { spec: { providerID: 'aws:///i-0123' } })) ?? '',
      /only spec\.unschedulable/,
    );
  });

  it('refuses an agent token that names no Node', async () => {
    const unbound = clientWithToken(await tokenFor(UPDATE_OPERATOR_NAMES.agent));
    assert.match(
      (await patchNode(unbound, nodeA, { metadata: { annotations: { 'update.strata.dev/reboot-needed': 'true' } } })) ??
        '',
      /its token names no Node/,
    );
  });

  it('does not restrain the operator, which grants reboots on every Node', async () => {
    const operator = clientWithToken(await tokenFor(UPDATE_OPERATOR_NAMES.operator));
    assert.equal(
      await patchNode(operator, nodeB, { metadata: { annotations: { 'update.strata.dev/reboot-ok': 'true' } } }),
      undefined,
    );
    assert.equal((await readNode(nodeB)).metadata?.annotations?.['update.strata.dev/reboot-ok'], 'true');
  });
});

describe("the update operator may write only the update protocol's part of a Node", () => {
  const controller = uniqueName('operator-controller');
  const hook = 'example.com/hook-done';
  const flannelIp = 'flannel.alpha.coreos.com/public-ip';
  let operator: CoreV1Api;

  before(async () => {
    const files = renderBootstrapManifests(manifestInputs()).filter((file) =>
      ['00-namespaces.yaml', '50-update-operator-crd.yaml', '51-update-operator.yaml'].includes(file.fileName),
    );
    for (const object of files.flatMap((file) => file.objects)) await applyManifestObject(admin, object, 'strata-test');
    await core.createNode({
      body: {
        metadata: {
          name: controller,
          labels: { 'node-role.kubernetes.io/control-plane': '', pool: 'blue' },
          annotations: { [hook]: 'true', [flannelIp]: '10.0.0.5' },
        },
        spec: {},
      },
    });
    operator = kubeConfigWithToken(await tokenFor(UPDATE_OPERATOR_NAMES.operator)).makeApiClient(CoreV1Api);
    // The admission policy takes effect a moment after it is created; until then this probe label lands.
    await waitFor('the operator node policy to be enforced', async () =>
      (await mergePatchNode(operator, controller, { metadata: { labels: { 'example.com/probe': 'x' } } })) === undefined
        ? undefined
        : true,
    );
  });

  after(async () => {
    await core.deleteNode({ name: controller });
  });

  it('refuses the operator a foreign label on a controller, as a stolen token would add', async () => {
    assert.match(
      (await mergePatchNode(operator, controller, {
        metadata: { labels: { 'node-role.kubernetes.io/worker': '' } },
      })) ?? '',
      /update operator may change only labels under update\.strata\.dev\//,
    );
    assert.match(
      (await mergePatchNode(operator, controller, { metadata: { labels: { pool: 'red' } } })) ?? '',
      /only labels under/,
    );
    assert.match(
      (await mergePatchNode(operator, controller, {
        metadata: { labels: { 'node-role.kubernetes.io/control-plane': null } },
      })) ?? '',
      /only labels under/,
    );
    const labels = (await readNode(controller)).metadata?.labels ?? {};
    assert.equal(labels['node-role.kubernetes.io/worker'], undefined);
    assert.equal(labels['pool'], 'blue');
    assert.equal(labels['node-role.kubernetes.io/control-plane'], '');
  });

  it('refuses the operator new or changed annotations outside the prefix, taints and other spec fields', async () => {
    assert.match(
      (await mergePatchNode(operator, controller, { metadata: { annotations: { 'example.com/owner': 'me' } } })) ?? '',
      /may change only annotations under update\.strata\.dev\//,
    );
    assert.match(
      (await mergePatchNode(operator, controller, { metadata: { annotations: { [flannelIp]: '192.0.2.1' } } })) ?? '',
      /only annotations under/,
    );
    assert.match(
      (await mergePatchNode(operator, controller, {
        spec: { taints: [{ key: 'example.com/evict', effect: 'NoExecute' }] },
      })) ?? '',
      /may change only spec\.unschedulable/,
    );
    assert.match(
      (await mergePatchNode(operator, controller, {
        spec: { podCIDR: '10.244.99.0/24', podCIDRs: ['10.244.99.0/24'] },
      })) ?? '',
      /may change only spec\.unschedulable/,
    );
    const node = await readNode(controller);
    assert.equal(node.metadata?.annotations?.['example.com/owner'], undefined);
    assert.equal(node.metadata?.annotations?.[flannelIp], '10.0.0.5');
    // The node lifecycle controller taints a Node no kubelet reports for; the operator's taint is what must be absent.
    assert.ok(!node.spec?.taints?.some((taint) => taint.key === 'example.com/evict'));
    assert.equal(node.spec?.podCIDR, undefined);
  });

  it('allows the writes of a whole reboot round, as the operator and its FleetLock server send them', async () => {
    const at = async () => (await readNode(controller)).metadata?.resourceVersion ?? '';
    const writes: [string, NodeMergePatch][] = [
      [
        'before-reboot',
        {
          metadata: {
            labels: { 'update.strata.dev/before-reboot': 'true' },
            annotations: { 'update.strata.dev/drain-failed': null },
          },
        },
      ],
      [
        'approve, clearing the before-reboot hook',
        {
          metadata: {
            annotations: {
              'update.strata.dev/reboot-ok': 'true',
              'update.strata.dev/reboot-granted-at': '2026-01-01T00:00:00Z',
              'update.strata.dev/policy': 'default',
              'update.strata.dev/drain-failed': null,
              [hook]: null,
            },
            labels: { 'update.strata.dev/before-reboot': null },
          },
        },
      ],
      [
        'the FleetLock cordon',
        {
          metadata: { annotations: { 'update.strata.dev/fleetlock-made-unschedulable': 'true' } },
          spec: { unschedulable: true },
        },
      ],
      [
        'its release',
        {
          metadata: { annotations: { 'update.strata.dev/fleetlock-made-unschedulable': null } },
          spec: { unschedulable: false },
        },
      ],
      ['after-reboot', { metadata: { labels: { 'update.strata.dev/after-reboot': 'true' } } }],
      [
        'complete',
        {
          metadata: {
            annotations: {
              'update.strata.dev/reboot-ok': null,
              'update.strata.dev/reboot-granted-at': null,
              'update.strata.dev/policy': null,
              'update.strata.dev/reboot-failed': null,
              'update.strata.dev/drain-failed': null,
            },
            labels: { 'update.strata.dev/after-reboot': null },
          },
        },
      ],
    ];
    for (const [what, patch] of writes) {
      // As NodeWriter does: conditioned on the resourceVersion the decision saw.
      const conditioned = { ...patch, metadata: { ...patch.metadata, resourceVersion: await at() } };
      assert.equal(await mergePatchNode(operator, controller, conditioned), undefined, what);
    }
    const node = await readNode(controller);
    assert.equal(node.metadata?.annotations?.[hook], undefined, 'the hook annotation is cleared');
    assert.equal(node.metadata?.annotations?.['update.strata.dev/reboot-ok'], undefined);
    assert.equal(node.metadata?.annotations?.[flannelIp], '10.0.0.5', 'other annotations stay');
    assert.equal(node.metadata?.labels?.['pool'], 'blue');
    // The API server leaves a false spec.unschedulable out.
    assert.notEqual(node.spec?.unschedulable, true);
  });
});
