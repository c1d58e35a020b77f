import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runStrata } from '../testing/run-strata.ts';

describe('strata binaries', () => {
  it('refuses an unknown name with exit code 2, listing every name it knows, the Pulumi CLI included', async () => {
    const result = await runStrata(['binaries', 'kube-nope']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown component\(s\): kube-nope; choose from etcd, .*kubectl, etcdutl, pulumi/);
    // The node image's parts too.
    assert.match(
      result.stderr,
      /, kubelet, containerd, containerd-shim-runc-v2, ctr, runc, crictl, bridge, host-local, loopback, portmap, ignition, ignition-validate\n$/,
    );
  });

  it('names pulumi in its help', async () => {
    const result = await runStrata(['binaries', '--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /pulumi/);
  });
});
