import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Node, V1NodeCondition } from '@kubernetes/client-node';
import fc from 'fast-check';
import { nodeStateOf, projectNode } from './node-state.ts';

const word = fc.stringMatching(/^[a-z][a-z0-9.-]{0,12}$/);
const strings = fc.dictionary(word, fc.string({ maxLength: 20 }), { maxKeys: 6 });
const conditionType = fc.constantFrom('Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable');
const condition: fc.Arbitrary<V1NodeCondition> = fc.record({
  type: conditionType,
  status: fc.constantFrom('True', 'False', 'Unknown'),
  lastHeartbeatTime: fc.date({ noInvalidDate: true }),
  message: fc.string({ maxLength: 40 }),
  reason: word,
});
const address = fc.record({
  type: fc.constantFrom('InternalIP', 'ExternalIP', 'Hostname', 'InternalDNS'),
  address: fc.ipV4(),
});

/** A whole Node as a kubelet reports it, each optional part present or not. */
const wholeNode: fc.Arbitrary<V1Node> = fc.record(
  {
    metadata: fc.record(
      { name: word, uid: fc.uuid(), resourceVersion: fc.nat().map(String), labels: strings, annotations: strings },
      { requiredKeys: [] },
    ),
    spec: fc.record(
      { unschedulable: fc.boolean(), podCIDR: fc.constant('10.32.1.0/24'), providerID: word },
      { requiredKeys: [] },
    ),
    status: fc.record(
      {
        conditions: fc.array(condition, { maxLength: 6 }),
        addresses: fc.array(address, { maxLength: 4 }),
        nodeInfo: fc.record({
          machineID: fc.stringMatching(/^[0-9a-f]{32}$/),
          osImage: fc.constantFrom('Flatcar Container Linux by Kinvolk 4230.2.4', 'Fedora CoreOS 41'),
          bootID: fc.uuid(),
          systemUUID: fc.uuid(),
          architecture: fc.constant('amd64'),
          containerRuntimeVersion: fc.constant('containerd://1.7.0'),
          kernelVersion: fc.constant('6.6.0'),
          kubeProxyVersion: fc.constant('v1.34.0'),
          kubeletVersion: fc.constant('v1.34.0'),
          operatingSystem: fc.constant('linux'),
        }),
        images: fc.array(fc.record({ names: fc.array(word, { maxLength: 3 }), sizeBytes: fc.nat() }), {
          maxLength: 8,
        }),
        capacity: fc.constant({ cpu: '2', memory: '4Gi', pods: '110' }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['metadata'] },
);

describe('projectNode', () => {
  it('keeps everything nodeStateOf reads, for any Node', () => {
    fc.assert(
      fc.property(wholeNode, (node) => {
        assert.deepEqual(nodeStateOf(projectNode(node)), nodeStateOf(node));
      }),
      { seed: 75, numRuns: 2000 },
    );
  });

  it('drops what it does not read: images, capacity, heartbeats and the other conditions', () => {
    const node: V1Node = {
      metadata: { name: 'worker-1', uid: 'u', resourceVersion: '7', labels: { a: 'b' }, annotations: { c: 'd' } },
      spec: { unschedulable: true, podCIDR: '10.32.1.0/24' },
      status: {
        conditions: [
          { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: new Date(0) },
          { type: 'Ready', status: 'True', lastHeartbeatTime: new Date(0), message: 'kubelet is posting ready status' },
        ],
        addresses: [
          { type: 'InternalIP', address: '127.0.0.9' },
          { type: 'Hostname', address: 'worker-1' },
        ],
        images: [{ names: ['registry/image:1'], sizeBytes: 1 }],
        capacity: { cpu: '2' },
      },
    };
    assert.deepEqual(projectNode(node), {
      metadata: { name: 'worker-1', uid: 'u', resourceVersion: '7', labels: { a: 'b' }, annotations: { c: 'd' } },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '127.0.0.9' }],
      },
    });
  });
});
