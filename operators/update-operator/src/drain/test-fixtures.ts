// Typed builders of the pods a drain meets, for unit and integration tests.
import type { V1OwnerReference, V1Pod, V1Volume } from '@kubernetes/client-node';
import { MIRROR_POD_ANNOTATION } from './pod-selection.ts';

export interface PodFixture {
  readonly name?: string;
  readonly namespace?: string;
  readonly nodeName?: string;
  readonly labels?: Record<string, string>;
  /** The controlling owner's kind; undefined for a bare pod. */
  readonly controller?: 'ReplicaSet' | 'DaemonSet' | 'StatefulSet' | 'Job' | undefined;
  readonly emptyDir?: boolean;
  readonly mirror?: boolean;
  readonly phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  readonly terminating?: boolean;
  readonly terminationGracePeriodSeconds?: number;
}

let counter = 0;

/** A pod bound to a node, owned by a ReplicaSet unless the fixture says otherwise. */
export function aPod(fixture: PodFixture = {}): V1Pod {
  counter += 1;
  const name = fixture.name ?? `pod-${counter}`;
  const controllerKind = 'controller' in fixture ? fixture.controller : 'ReplicaSet';
  const ownerReferences: V1OwnerReference[] | undefined =
    controllerKind === undefined
      ? undefined
      : [{ apiVersion: controllerKind === 'Job' ? 'batch/v1' : 'apps/v1', kind: controllerKind, name: `${name}-owner`, uid: `owner-${counter}`, controller: true }];
  const volumes: V1Volume[] | undefined = fixture.emptyDir === true ? [{ name: 'scratch', emptyDir: {} }] : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: fixture.namespace ?? 'default',
      uid: `uid-${counter}`,
      ...(fixture.labels === undefined ? {} : { labels: fixture.labels }),
      ...(fixture.mirror === true ? { annotations: { [MIRROR_POD_ANNOTATION]: 'hash' } } : {}),
      ...(ownerReferences === undefined ? {} : { ownerReferences }),
      ...(fixture.terminating === true ? { deletionTimestamp: new Date(), deletionGracePeriodSeconds: 30 } : {}),
    },
    spec: {
      nodeName: fixture.nodeName ?? 'node-1',
      containers: [{ name: 'main', image: 'registry.example/app:1' }],
      ...(volumes === undefined ? {} : { volumes }),
      ...(fixture.terminationGracePeriodSeconds === undefined ? {} : { terminationGracePeriodSeconds: fixture.terminationGracePeriodSeconds }),
    },
    status: { phase: fixture.phase ?? 'Running' },
  };
}
