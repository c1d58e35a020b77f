import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Node } from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS } from '@strata/api';
import { nodeRow } from './node-row.ts';

interface NodeSpec {
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly ready?: 'True' | 'False';
  readonly unschedulable?: boolean;
}

function node(spec: NodeSpec = {}): V1Node {
  return {
    metadata: { name: 'worker-1', labels: spec.labels ?? {}, annotations: spec.annotations ?? {} },
    spec: spec.unschedulable === undefined ? {} : { unschedulable: spec.unschedulable },
    status: {
      ...(spec.ready === undefined ? {} : { conditions: [{ type: 'Ready', status: spec.ready }] }),
      nodeInfo: {
        osImage: 'Flatcar Container Linux by Kinvolk 4081.2.0 (Oklo)',
        kubeletVersion: 'v1.35.0',
        architecture: 'amd64',
        bootID: '',
        containerRuntimeVersion: '',
        kernelVersion: '',
        kubeProxyVersion: '',
        machineID: '',
        operatingSystem: 'linux',
        systemUUID: '',
      },
    },
  };
}

describe('nodeRow', () => {
  it('takes name, roles, readiness, schedulability and versions from the Node', () => {
    const row = nodeRow(
      node({
        labels: {
          'node-role.kubernetes.io/worker': '',
          'node-role.kubernetes.io/etcd': '',
          [LABELS.version]: '4081.2.0',
        },
        ready: 'True',
        unschedulable: true,
      }),
    );
    assert.deepEqual(row, {
      name: 'worker-1',
      roles: ['etcd', 'worker'],
      ready: 'Ready',
      schedulable: false,
      osImage: 'Flatcar Container Linux by Kinvolk 4081.2.0 (Oklo)',
      kubeletVersion: 'v1.35.0',
      osVersion: '4081.2.0',
      updateState: 'Not reported',
      rebootsPaused: false,
    });
  });

  it('reads readiness as the Ready condition says, Unknown without one', () => {
    assert.equal(nodeRow(node({ ready: 'False' })).ready, 'NotReady');
    assert.equal(nodeRow(node()).ready, 'Unknown');
    assert.equal(nodeRow(node()).osVersion, undefined);
  });

  it('says whether someone paused the node’s reboots (the reboots-paused label)', () => {
    assert.equal(nodeRow(node()).rebootsPaused, false);
    assert.equal(nodeRow(node({ labels: { [LABELS.rebootsPaused]: 'true' } })).rebootsPaused, true);
  });

  it('names the update state from the update protocol, the most pressing first', () => {
    const cases: [Record<string, string>, string][] = [
      [{ [ANNOTATIONS.status]: 'UPDATE_STATUS_IDLE' }, 'UPDATE_STATUS_IDLE'],
      [{ [ANNOTATIONS.rebootNeeded]: 'true' }, 'Reboot needed'],
      [{ [ANNOTATIONS.rebootNeeded]: 'true', [ANNOTATIONS.newVersion]: '4081.3.0' }, 'Reboot needed for 4081.3.0'],
      [{ [ANNOTATIONS.rebootNeeded]: 'true', [ANNOTATIONS.rebootOk]: 'true' }, 'Reboot granted'],
      [{ [ANNOTATIONS.rebootOk]: 'true', [ANNOTATIONS.rebootInProgress]: 'true' }, 'Rebooting'],
      [
        { [ANNOTATIONS.rebootInProgress]: 'true', [ANNOTATIONS.drainFailed]: '2026-12-04T10:00:00Z' },
        'Drain failed at 2026-12-04T10:00:00Z',
      ],
      [{ [ANNOTATIONS.rebootInProgress]: 'true', [ANNOTATIONS.rebootFailed]: 'true' }, 'Reboot failed'],
      [{ [ANNOTATIONS.rebootNeeded]: 'false' }, 'Not reported'],
    ];
    for (const [annotations, state] of cases) assert.equal(nodeRow(node({ annotations })).updateState, state);
  });
});
