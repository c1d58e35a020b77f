// Typed pods for the console's tests: what a drain sees on a node (owned by a ReplicaSet or a DaemonSet, static
// pods' mirrors, bare pods, pods with emptyDir data), as the API server stores them.
import type { V1OwnerReference, V1Pod } from '@kubernetes/client-node';

export interface PodFixture {
  readonly namespace: string;
  readonly name: string;
  readonly nodeName: string;
  /** The controlling owner's kind; none for a bare pod. */
  readonly controller?: 'ReplicaSet' | 'DaemonSet' | 'StatefulSet';
  readonly labels?: Readonly<Record<string, string>>;
  readonly mirror?: boolean;
  readonly emptyDir?: string;
  readonly phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  readonly terminating?: boolean;
  readonly uid?: string;
}

function controllerReference(fixture: PodFixture): V1OwnerReference[] {
  if (fixture.controller === undefined) return [];
  return [
    {
      apiVersion: 'apps/v1',
      kind: fixture.controller,
      name: `${fixture.name}-owner`,
      // Any UID: no controller (and no garbage collector) runs against the harness's API server.
      uid: '00000000-0000-4000-8000-000000000001',
      controller: true,
    },
  ];
}

/** The pod as a client creates it (no status: a create ignores it). */
export function podObject(fixture: PodFixture): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace: fixture.namespace,
      name: fixture.name,
      labels: { ...fixture.labels },
      ...(fixture.uid === undefined ? {} : { uid: fixture.uid }),
      ...(fixture.mirror === true ? { annotations: { 'kubernetes.io/config.mirror': 'fixture' } } : {}),
      ...(fixture.terminating === true ? { deletionTimestamp: new Date('2026-01-01T00:00:00Z') } : {}),
      ownerReferences: controllerReference(fixture),
    },
    spec: {
      nodeName: fixture.nodeName,
      // No kubelet runs: a pod whose grace period is 0 is removed at once when evicted, as a kubelet would finish.
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      containers: [{ name: 'main', image: 'registry.invalid/pause:fixture' }],
      ...(fixture.emptyDir === undefined ? {} : { volumes: [{ name: fixture.emptyDir, emptyDir: {} }] }),
    },
    ...(fixture.phase === undefined ? {} : { status: { phase: fixture.phase } }),
  };
}
