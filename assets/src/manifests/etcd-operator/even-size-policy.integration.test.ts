// The even-size warning on a real API server: `kubectl apply` of an EtcdCluster with an even size is accepted and
// prints the policy's warning; an odd size prints none. Every apply is a server-side dry run, so nothing is stored
// on the shared control plane.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import { ETCD_CLUSTER, etcdCrds } from '@strata/api';
import { applyManifestObject, installCrds, sharedControlPlane, uniqueName, waitFor } from '@strata/harness';
import { etcdClusterEvenSizePolicy, EVEN_SIZE_WARNING } from './even-size-policy.ts';

const cluster = await sharedControlPlane();
const kubeConfig = cluster.adminKubeConfig();
const namespace = uniqueName('etcd-even');

const manifest = (size: number): string =>
  JSON.stringify({
    apiVersion: ETCD_CLUSTER.apiVersion,
    kind: ETCD_CLUSTER.kind,
    metadata: { name: 'probe', namespace },
    spec: { size, version: '3.6.16', storage: { emptyDir: {} } },
  });

const dryRunApply = async (size: number) => {
  const result = await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], manifest(size));
  assert.equal(result.code, 0, `kubectl apply of size ${size} is accepted: ${result.stderr}`);
  return result;
};

describe('the EtcdCluster even-size admission policy', () => {
  before(async () => {
    await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    await installCrds(kubeConfig, etcdCrds());
    for (const object of etcdClusterEvenSizePolicy()) await applyManifestObject(kubeConfig, object, 'strata-test');
  });

  it("accepts an even size with kubectl apply's warning, and an odd one without", async () => {
    // The API server compiles a new policy asynchronously: the first applies may pass before it takes effect.
    const even = await waitFor(
      'the policy to warn of an even size',
      async () => {
        const result = await dryRunApply(4);
        return result.stderr.includes('Warning:') ? result : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    assert.match(even.stderr, /Warning: .*spec\.size is even/);
    assert.ok(even.stderr.includes(EVEN_SIZE_WARNING), even.stderr);
    assert.match(even.stdout, /etcdcluster\.etcd\.strata\.dev\/probe created \(server dry run\)/);

    const odd = await dryRunApply(3);
    assert.doesNotMatch(odd.stderr, /Warning:/);
    const six = await dryRunApply(6);
    assert.ok(six.stderr.includes(EVEN_SIZE_WARNING), six.stderr);
  });
});
