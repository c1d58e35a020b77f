import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CoreV1Event, V1Deployment, V1Pod, V1Service } from '@kubernetes/client-node';
import { workloadRowSchema } from '../shared/workloads.ts';
import { deploymentRow, serviceRow, workloadEventRow, workloadPodRow } from './workload-rows.ts';

const CREATED = new Date('2026-12-01T10:00:00Z');

function pod(overrides: { ready: boolean[]; deleting?: boolean; phase?: string }): V1Pod {
  return {
    metadata: {
      namespace: 'shop',
      name: 'web-1',
      labels: { app: 'web' },
      creationTimestamp: CREATED,
      ...(overrides.deleting === true ? { deletionTimestamp: CREATED } : {}),
    },
    spec: { nodeName: 'worker-1', containers: overrides.ready.map((_, index) => ({ name: `c${index}` })) },
    status: {
      phase: overrides.phase ?? 'Running',
      containerStatuses: overrides.ready.map((ready, index) => ({
        name: `c${index}`,
        ready,
        image: 'nginx',
        imageID: '',
        restartCount: 0,
      })),
    },
  };
}

describe('workload rows', () => {
  it('counts a pod’s ready containers, and shows Terminating over its phase', () => {
    const row = workloadPodRow(pod({ ready: [true, false] }));
    assert.deepEqual(row, {
      namespace: 'shop',
      name: 'web-1',
      labels: { app: 'web' },
      created: CREATED.toISOString(),
      status: 'Running',
      ready: '1/2',
      detail: 'worker-1',
    });
    assert.equal(workloadPodRow(pod({ ready: [true], deleting: true })).status, 'Terminating');
    assert.ok(workloadRowSchema.safeParse(row).success);
  });

  it('shows a Deployment’s ready replicas out of its desired ones, Available from its condition', () => {
    const deployment: V1Deployment = {
      metadata: { namespace: 'shop', name: 'web' },
      spec: {
        replicas: 3,
        selector: {},
        template: {
          spec: {
            containers: [
              { name: 'a', image: 'nginx:1' },
              { name: 'b', image: 'envoy:2' },
            ],
          },
        },
      },
      status: { readyReplicas: 2, conditions: [{ type: 'Available', status: 'False' }] },
    };
    const row = deploymentRow(deployment);
    assert.equal(row.ready, '2/3');
    assert.equal(row.status, 'Unavailable');
    assert.equal(row.detail, 'nginx:1, envoy:2');
    assert.equal(row.created, '');
  });

  it('shows a Service’s type, cluster IP and ports', () => {
    const service: V1Service = {
      metadata: { namespace: 'shop', name: 'web' },
      spec: {
        type: 'NodePort',
        clusterIP: '10.0.0.7',
        ports: [
          { port: 80, targetPort: 8080, protocol: 'TCP' },
          { port: 53, targetPort: 53, protocol: 'UDP' },
        ],
      },
    };
    const row = serviceRow(service);
    assert.equal(row.status, 'NodePort');
    assert.equal(row.detail, '10.0.0.7 80→8080/TCP 53/UDP');
  });

  it('shows an Event’s type and reason, its object, message and count', () => {
    const event: CoreV1Event = {
      metadata: { namespace: 'shop', name: 'web.1' },
      involvedObject: { kind: 'Pod', name: 'web-1' },
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      count: 4,
    };
    const row = workloadEventRow(event);
    assert.equal(row.status, 'Warning BackOff');
    assert.equal(row.detail, 'Pod/web-1: Back-off restarting failed container (×4)');
  });
});
