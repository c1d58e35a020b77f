import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sharedControlPlane } from '../shared.ts';

describe('kubectl with the generated kubeconfig', () => {
  it('lists namespaces', async () => {
    const result = await (await sharedControlPlane()).kubectl(['get', 'namespaces', '-o', 'name']);
    assert.equal(result.code, 0, result.stderr);
    const names = result.stdout.trim().split('\n');
    for (const expected of ['namespace/default', 'namespace/kube-system', 'namespace/kube-public']) {
      assert.ok(names.includes(expected), `${expected} missing from: ${names.join(', ')}`);
    }
  });

  it('reports the pinned server version', async () => {
    const result = await (await sharedControlPlane()).kubectl(['version', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const version = JSON.parse(result.stdout) as { serverVersion?: { gitVersion?: string } };
    const { KUBERNETES_VERSION } = await import('@strata/binaries');
    assert.equal(version.serverVersion?.gitVersion, KUBERNETES_VERSION);
  });
});
