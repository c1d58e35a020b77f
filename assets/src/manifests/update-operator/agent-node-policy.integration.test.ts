import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
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

/** A client that authenticates with `token` against the same API server. */
function clientWithToken(token: string): KubernetesObjectApi {
  const server = admin.getCurrentCluster();
  assert.ok(server, 'the admin kubeconfig names a cluster');
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [server],
    users: [{ name: 'token', token }],
    contexts: [{ name: 'token', cluster: server.name, user: 'token' }],
    currentContext: 'token',
  });
  return KubernetesObjectApi.makeApiClient(config);
}

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
