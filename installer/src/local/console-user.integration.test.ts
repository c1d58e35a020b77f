// The console's first user against a real kube-apiserver: what its token may do, in the API server's own words
// (SelfSubjectAccessReviews made with the token), and that `strata up` can issue it again on the same cluster.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AuthenticationV1Api,
  AuthorizationV1Api,
  KubeConfig,
  type V1ResourceAttributes,
} from '@kubernetes/client-node';
import { UPDATE_CHANNEL, UPDATE_GROUP, UPDATE_POLICY } from '@strata/api';
import { sharedControlPlane } from '@strata/harness';
import { CONSOLE_ROLLOUT_USER, issueConsoleRolloutToken } from './console-user.ts';

function asToken(admin: KubeConfig, token: string): KubeConfig {
  const cluster = admin.getCurrentCluster();
  assert.ok(cluster);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'console-user', token }],
    contexts: [{ name: 'console-user', cluster: cluster.name, user: 'console-user' }],
    currentContext: 'console-user',
  });
  return kubeConfig;
}

async function allowed(kubeConfig: KubeConfig, attributes: V1ResourceAttributes): Promise<boolean> {
  const review = await kubeConfig.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
    body: { spec: { resourceAttributes: attributes } },
  });
  return review.status?.allowed === true;
}

const policies = { group: UPDATE_POLICY.group, resource: UPDATE_POLICY.plural };

describe('the console rollout user', () => {
  it('may read nodes, UpdatePolicies, UpdateChannels and UpdateGroups and pause a policy, and nothing else', async () => {
    const cluster = await sharedControlPlane();
    const admin = cluster.adminKubeConfig();
    const first = await issueConsoleRolloutToken(admin);
    // Again, as a second `strata up` on the same cluster does: the objects are applied, not created.
    const token = await issueConsoleRolloutToken(admin);
    assert.notEqual(token, first, 'each run issues a token of its own');
    const user = asToken(admin, token);
    const review = await user.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    assert.equal(
      review.status?.userInfo?.username,
      `system:serviceaccount:${CONSOLE_ROLLOUT_USER.namespace}:${CONSOLE_ROLLOUT_USER.serviceAccount}`,
    );
    const cases: [V1ResourceAttributes, boolean][] = [
      [{ verb: 'list', resource: 'nodes' }, true],
      [{ verb: 'watch', resource: 'nodes' }, true],
      [{ verb: 'list', ...policies }, true],
      [{ verb: 'watch', ...policies }, true],
      [{ verb: 'patch', ...policies }, true],
      [{ verb: 'list', group: UPDATE_GROUP.group, resource: UPDATE_GROUP.plural }, true],
      [{ verb: 'get', group: UPDATE_GROUP.group, resource: UPDATE_CHANNEL.plural, name: 'stable' }, true],
      [{ verb: 'patch', group: UPDATE_GROUP.group, resource: UPDATE_CHANNEL.plural, name: 'stable' }, false],
      [{ verb: 'patch', group: UPDATE_GROUP.group, resource: UPDATE_GROUP.plural, name: 'stable' }, false],
      [{ verb: 'patch', resource: 'nodes' }, false],
      [{ verb: 'delete', ...policies }, false],
      [{ verb: 'create', ...policies }, false],
      [{ verb: 'get', resource: 'secrets', namespace: 'kube-system' }, false],
      [{ verb: 'list', resource: 'pods' }, false],
      [{ verb: 'create', resource: 'pods/eviction', namespace: 'default' }, false],
    ];
    for (const [attributes, expected] of cases)
      assert.equal(await allowed(user, attributes), expected, JSON.stringify(attributes));
  });
});
