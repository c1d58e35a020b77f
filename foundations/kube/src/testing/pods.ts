// The one typed Pod builder for every package's tests: a test states only
// what it is about, and everything else is a valid pod bound to a node.
import { randomUUID } from 'node:crypto';
import type {
  V1Container,
  V1ObjectMeta,
  V1OwnerReference,
  V1Pod,
  V1PodSpec,
  V1PodStatus,
} from '@kubernetes/client-node';
import { MIRROR_POD_ANNOTATION } from '../drain-selection.ts';

export { MIRROR_POD_ANNOTATION };

export type PodController = 'ReplicaSet' | 'DaemonSet' | 'StatefulSet' | 'Job';

export interface PodFixture {
  /** `pod-<n>` unless given. */
  readonly name?: string;
  readonly namespace?: string;
  /** A fresh UUID unless given. */
  readonly uid?: string;
  readonly nodeName?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  /** The controlling owner's kind: a ReplicaSet unless given; `undefined` (given) for a bare pod. */
  readonly controller?: PodController | undefined;
  /** One container "main" of registry.example/app:1 unless given. */
  readonly containers?: readonly V1Container[];
  /** Shorthand for containers c0, c1, ... of these images. */
  readonly images?: readonly string[];
  /** An emptyDir volume "scratch", whose data a drain would lose. */
  readonly emptyDir?: boolean;
  /** A static pod's mirror (MIRROR_POD_ANNOTATION). */
  readonly mirror?: boolean;
  /** Being deleted: a deletionTimestamp of now. */
  readonly terminating?: boolean;
  readonly phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  readonly terminationGracePeriodSeconds?: number;
  /** The rest of the spec, over the above. */
  readonly spec?: Partial<V1PodSpec>;
  /** The rest of the metadata, over the above. */
  readonly metadata?: Partial<V1ObjectMeta>;
  /** The rest of the status, over `phase`. */
  readonly status?: V1PodStatus;
}

let counter = 0;

/** A pod bound to a node (node-1 unless given), owned by a ReplicaSet unless the fixture says otherwise. */
export function aPod(fixture: PodFixture = {}): V1Pod {
  counter += 1;
  const name = fixture.name ?? `pod-${counter}`;
  const controller = 'controller' in fixture ? fixture.controller : 'ReplicaSet';
  const ownerReferences: V1OwnerReference[] | undefined =
    controller === undefined
      ? undefined
      : [
          {
            apiVersion: controller === 'Job' ? 'batch/v1' : 'apps/v1',
            kind: controller,
            name: `${name}-owner`,
            uid: `owner-${counter}`,
            controller: true,
          },
        ];
  const annotations = {
    ...fixture.annotations,
    ...(fixture.mirror === true ? { [MIRROR_POD_ANNOTATION]: 'hash' } : {}),
  };
  const containers =
    fixture.containers !== undefined
      ? [...fixture.containers]
      : fixture.images !== undefined
        ? fixture.images.map((image, index) => ({ name: `c${index}`, image }))
        : [{ name: 'main', image: 'registry.example/app:1' }];
  const status: V1PodStatus | undefined =
    fixture.phase === undefined && fixture.status === undefined
      ? undefined
      : { ...(fixture.phase === undefined ? {} : { phase: fixture.phase }), ...fixture.status };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: fixture.namespace ?? 'default',
      uid: fixture.uid ?? randomUUID(),
      ...(fixture.labels === undefined ? {} : { labels: { ...fixture.labels } }),
      ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
      ...(ownerReferences === undefined ? {} : { ownerReferences }),
      ...(fixture.terminating === true ? { deletionTimestamp: new Date(), deletionGracePeriodSeconds: 30 } : {}),
      ...fixture.metadata,
    },
    spec: {
      nodeName: fixture.nodeName ?? 'node-1',
      containers,
      ...(fixture.emptyDir === true ? { volumes: [{ name: 'scratch', emptyDir: {} }] } : {}),
      ...(fixture.terminationGracePeriodSeconds === undefined
        ? {}
        : { terminationGracePeriodSeconds: fixture.terminationGracePeriodSeconds }),
      ...fixture.spec,
    },
    ...(status === undefined ? {} : { status }),
  };
}
