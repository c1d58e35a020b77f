import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  administratorLabels,
  kubeletLabels,
  machineId,
  nodeStatus,
  READY,
  registrationNode,
  SHUTTING_DOWN,
  statusFingerprint,
  systemUuid,
  type MachineFacts,
} from './node-object.ts';
import { isKubeletLabel, numberedNodeSpecs, parseNodeSpec } from './node-spec.ts';
import { NodeSpecError } from './errors.ts';
import { nodeSpec } from './testing/fixtures.ts';

const NOW = new Date('2026-01-02T03:04:05Z');
const LATER = new Date('2026-01-02T03:09:05Z');
const FACTS: MachineFacts = {
  release: {
    id: 'flatcar',
    version: '4230.2.3',
    prettyName: 'Flatcar Container Linux by Kinvolk 4230.2.3 (Oklo)',
    kernelVersion: '6.6.95-flatcar',
    group: 'stable',
  },
  bootId: 'boot-1',
  kubeletVersion: 'v1.36.3',
};

describe('node specs', () => {
  it('fill in defaults and refuse bad fields, naming each', () => {
    const spec = parseNodeSpec(nodeSpec());
    assert.deepEqual(spec.capacity, { cpuCores: 4, memoryMiB: 8192, ephemeralStorageGiB: 50, pods: 110 });
    assert.equal(spec.architecture, 'amd64');
    assert.throws(
      () =>
        parseNodeSpec(nodeSpec({ name: 'Bad_Name', ip: '10.0.0.300', taints: [{ key: 'k', effect: 'NoSchedule' }] })),
      (error: unknown) => {
        assert.ok(error instanceof NodeSpecError);
        assert.deepEqual(
          error.issues.map((issue) => issue.split(':')[0]),
          ['name', 'ip'],
        );
        return true;
      },
    );
  });

  it('are numbered with distinct addresses for a fleet', () => {
    const specs = numberedNodeSpecs(600, 'sim');
    assert.equal(specs[0]?.name, 'sim-0001');
    assert.equal(specs[599]?.name, 'sim-0600');
    assert.equal(new Set(specs.map((spec) => spec.ip)).size, 600);
    for (const spec of specs) parseNodeSpec(spec);
    assert.throws(() => numberedNodeSpecs(0, 'sim'), NodeSpecError);
  });

  it('tell the labels a kubelet may set from those only an administrator may', () => {
    for (const key of [
      'kubernetes.io/hostname',
      'node.kubernetes.io/instance-type',
      'kubelet.kubernetes.io/x',
      'example.com/pool',
      'plain',
    ]) {
      assert.equal(isKubeletLabel(key), true, key);
    }
    for (const key of ['node-role.kubernetes.io/worker', 'kubernetes.io/other', 'x.k8s.io/y'])
      assert.equal(isKubeletLabel(key), false, key);
  });
});

describe('the Node a simulated kubelet registers', () => {
  const spec = parseNodeSpec(nodeSpec({ labels: { 'example.com/pool': 'blue', 'node-role.kubernetes.io/infra': '' } }));

  it('carries the kubelet labels itself and leaves role labels to an administrator', () => {
    assert.deepEqual(kubeletLabels(spec), {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'example.com/pool': 'blue',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': 'worker-0001',
      'kubernetes.io/os': 'linux',
      'node.kubernetes.io/instance-type': 'strata-local',
    });
    assert.deepEqual(administratorLabels(spec), {
      'node-role.kubernetes.io/infra': '',
      'node-role.kubernetes.io/worker': '',
    });
  });

  it('is tainted not-ready until the node lifecycle controller sees it Ready', () => {
    const node = registrationNode(spec, FACTS, READY, NOW);
    assert.deepEqual(node.spec?.taints, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]);
  });

  it('reports nodeInfo from the OS, capacity, addresses and the kubelet port', () => {
    const status = nodeStatus(spec, FACTS, READY, NOW);
    assert.equal(status.nodeInfo?.osImage, FACTS.release.prettyName);
    assert.equal(status.nodeInfo?.kernelVersion, '6.6.95-flatcar');
    assert.equal(status.nodeInfo?.bootID, 'boot-1');
    assert.equal(status.nodeInfo?.machineID, machineId('worker-0001'));
    assert.equal(status.nodeInfo?.systemUUID, systemUuid('worker-0001'));
    assert.match(systemUuid('worker-0001'), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(status.capacity, {
      cpu: '4',
      'ephemeral-storage': '52428800Ki',
      'hugepages-1Gi': '0',
      'hugepages-2Mi': '0',
      memory: '8388608Ki',
      pods: '110',
    });
    assert.equal(status.allocatable?.['memory'], '8286208Ki');
    assert.equal(status.daemonEndpoints?.kubeletEndpoint?.Port, 10250);
  });

  it('says why it is not Ready while shutting down, keeping transition times of what did not change', () => {
    const ready = nodeStatus(spec, FACTS, READY, NOW);
    const down = nodeStatus(spec, FACTS, SHUTTING_DOWN, LATER, ready.conditions);
    const condition = (type: string) => down.conditions?.find((candidate) => candidate.type === type);
    assert.deepEqual(
      { status: condition('Ready')?.status, reason: condition('Ready')?.reason, message: condition('Ready')?.message },
      { status: 'False', reason: 'KubeletNotReady', message: 'node is shutting down' },
    );
    assert.equal(condition('Ready')?.lastTransitionTime, LATER);
    assert.equal(condition('MemoryPressure')?.lastTransitionTime, NOW);
    assert.equal(condition('MemoryPressure')?.lastHeartbeatTime, LATER);
  });

  it('fingerprints the status apart from heartbeat times', () => {
    const first = nodeStatus(spec, FACTS, READY, NOW);
    assert.equal(statusFingerprint(first), statusFingerprint(nodeStatus(spec, FACTS, READY, LATER, first.conditions)));
    assert.notEqual(
      statusFingerprint(first),
      statusFingerprint(nodeStatus(spec, { ...FACTS, bootId: 'boot-2' }, READY, NOW)),
    );
  });
});
