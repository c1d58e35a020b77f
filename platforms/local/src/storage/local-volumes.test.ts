import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1PersistentVolumeClaim } from '@kubernetes/client-node';
import {
  hostPathOnNode,
  LOCAL_PATH_PROVISIONER,
  LOCAL_VOLUME_FINALIZER,
  localPersistentVolume,
  LocalVolumeError,
  persistentVolumeNode,
  persistentVolumePath,
} from './local-volumes.ts';
import { localStorageClasses } from './storage-classes.ts';

function claim(overrides: Partial<V1PersistentVolumeClaim['spec']> = {}): V1PersistentVolumeClaim {
  return {
    metadata: { name: 'data-etcd-0', namespace: 'etcd', uid: '5d2c0d6e-1111-2222-3333-444455556666' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } }, ...overrides },
  };
}

const [deleteClass, retainClass] = localStorageClasses();

describe('local volumes', () => {
  it('offers a default Delete class and a Retain class, both waiting for the first consumer', () => {
    assert.deepEqual(
      localStorageClasses().map((storageClass) => [
        storageClass.metadata?.name,
        storageClass.provisioner,
        storageClass.reclaimPolicy,
        storageClass.volumeBindingMode,
        storageClass.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'],
      ]),
      [
        ['strata-local-path', LOCAL_PATH_PROVISIONER, 'Delete', 'WaitForFirstConsumer', 'true'],
        ['strata-local-path-retain', LOCAL_PATH_PROVISIONER, 'Retain', 'WaitForFirstConsumer', undefined],
      ],
    );
  });

  it('makes a volume bound in advance to the claim, pinned to the node, with the class’s reclaim policy', () => {
    assert.ok(deleteClass && retainClass);
    const volume = localPersistentVolume(claim(), deleteClass, 'worker-1');
    assert.equal(volume.metadata?.name, 'pvc-5d2c0d6e-1111-2222-3333-444455556666');
    assert.deepEqual(volume.metadata?.finalizers, [LOCAL_VOLUME_FINALIZER]);
    assert.deepEqual(volume.spec?.capacity, { storage: '2Gi' });
    assert.equal(volume.spec?.persistentVolumeReclaimPolicy, 'Delete');
    assert.equal(volume.spec?.storageClassName, 'strata-local-path');
    assert.deepEqual(volume.spec?.claimRef, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      namespace: 'etcd',
      name: 'data-etcd-0',
      uid: '5d2c0d6e-1111-2222-3333-444455556666',
    });
    assert.equal(persistentVolumeNode(volume), 'worker-1');
    assert.equal(
      persistentVolumePath(volume),
      '/var/lib/strata/local-volumes/pvc-5d2c0d6e-1111-2222-3333-444455556666_etcd_data-etcd-0',
    );
    assert.equal(localPersistentVolume(claim(), retainClass, 'worker-1').spec?.persistentVolumeReclaimPolicy, 'Retain');
  });

  it('refuses a claim that requests no storage, naming the field', () => {
    assert.ok(deleteClass);
    assert.throws(
      () => localPersistentVolume(claim({ resources: {} }), deleteClass, 'worker-1'),
      (error: unknown) => {
        assert.ok(error instanceof LocalVolumeError);
        assert.match(error.message, /etcd\/data-etcd-0 requests no storage/);
        assert.equal(error.context['field'], 'spec.resources.requests.storage');
        return true;
      },
    );
  });

  it('puts a node path below the node’s root, and never outside it', () => {
    assert.equal(
      hostPathOnNode('/c/nodes/w1', '/var/lib/strata/local-volumes/v'),
      '/c/nodes/w1/root/var/lib/strata/local-volumes/v',
    );
    // An absolute path normalizes below its root: ".." cannot climb above "/".
    assert.equal(hostPathOnNode('/c/nodes/w1', '/var/../../etc'), '/c/nodes/w1/root/etc');
    assert.throws(() => hostPathOnNode('/c/nodes/w1', 'relative/path'), LocalVolumeError);
  });
});
