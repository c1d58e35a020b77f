import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_KUBERNETES_VERSION } from '@strata/assets';
import { DEFAULT_OS_VERSIONS } from '../cluster/local-cluster.ts';
import { simulatedNodeObjects } from './simulated-nodes.ts';

describe('simulatedNodeObjects', () => {
  it('makes the Nodes the local platform’s workers register, with their roles and the extra labels', () => {
    const nodes = simulatedNodeObjects({ count: 3, prefix: 'fleet', labels: { 'test.strata.dev/run': 'r1' } });
    assert.deepEqual(
      nodes.map((node) => node.metadata?.name),
      ['fleet-0001', 'fleet-0002', 'fleet-0003'],
    );
    const [first] = nodes;
    assert.equal(first?.metadata?.labels?.['node-role.kubernetes.io/worker'], '');
    assert.equal(first?.metadata?.labels?.['kubernetes.io/hostname'], 'fleet-0001');
    assert.equal(first?.metadata?.labels?.['test.strata.dev/run'], 'r1');
    const ready = first?.status?.conditions?.find((condition) => condition.type === 'Ready');
    assert.equal(ready?.status, 'True');
    assert.equal(first?.status?.nodeInfo?.osImage.includes(DEFAULT_OS_VERSIONS.flatcar), true);
    assert.equal(first?.status?.nodeInfo?.kubeletVersion, DEFAULT_KUBERNETES_VERSION);
    assert.notEqual(first?.status?.nodeInfo?.bootID, nodes[1]?.status?.nodeInfo?.bootID);
  });
});
