import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1CustomResourceDefinition, V1CustomResourceDefinitionVersion } from '@kubernetes/client-node';
import { crdInfoOf, customRowOf, customTarget } from './custom-resources.ts';

/** A CRD of group widgets.example.com as the API server serves it, with `versions` and `scope` as given. */
function crdOf(
  versions: V1CustomResourceDefinitionVersion[],
  scope: 'Namespaced' | 'Cluster' = 'Namespaced',
): V1CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.widgets.example.com' },
    spec: {
      group: 'widgets.example.com',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
      scope,
      versions,
    },
  };
}

const version = (
  name: string,
  flags: { served: boolean; storage: boolean },
  columns: V1CustomResourceDefinitionVersion['additionalPrinterColumns'] = [],
): V1CustomResourceDefinitionVersion => ({
  name,
  ...flags,
  additionalPrinterColumns: columns,
});

describe('crdInfoOf', () => {
  it("takes the storage version's printer columns", () => {
    const info = crdInfoOf(
      crdOf([
        version('v1alpha1', { served: true, storage: false }, [{ name: 'Old', type: 'string', jsonPath: '.x' }]),
        version('v1', { served: true, storage: true }, [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }]),
      ]),
    );
    assert.deepEqual(info, {
      group: 'widgets.example.com',
      plural: 'widgets',
      kind: 'Widget',
      version: 'v1',
      namespaced: true,
      printerColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
    });
  });

  it('has nothing to list when the storage version is not served', () => {
    assert.equal(crdInfoOf(crdOf([version('v1', { served: false, storage: true })])), undefined);
  });
});

describe('customRowOf', () => {
  it('evaluates each printer column, empty where the path gives nothing', () => {
    const info = crdInfoOf(
      crdOf([
        version('v1', { served: true, storage: true }, [
          { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
          { name: 'First', type: 'string', jsonPath: '.spec.parts[0]' },
          { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
        ]),
      ]),
    );
    assert.ok(info !== undefined);
    const created = new Date('2026-12-05T10:00:00Z');
    assert.deepEqual(
      customRowOf(info, {
        metadata: { namespace: 'shop', name: 'w1', creationTimestamp: created },
        spec: { size: 7, parts: ['a'] },
      }),
      { namespace: 'shop', name: 'w1', cells: ['7', '', ''], created: '2026-12-05T10:00:00.000Z' },
    );
  });
});

describe('customTarget', () => {
  const namespaced = crdInfoOf(crdOf([version('v1', { served: true, storage: true })]));
  const clusterScoped = crdInfoOf(crdOf([version('v1', { served: true, storage: true })], 'Cluster'));
  assert.ok(namespaced !== undefined && clusterScoped !== undefined);

  it("names the object with the CRD's group, storage version, kind and plural", () => {
    assert.deepEqual(customTarget(namespaced, 'shop', 'w1'), {
      apiVersion: 'widgets.example.com/v1',
      kind: 'Widget',
      resource: 'widgets.widgets.example.com',
      namespace: 'shop',
      name: 'w1',
    });
    assert.deepEqual(customTarget(clusterScoped, '-', 'w1'), {
      apiVersion: 'widgets.example.com/v1',
      kind: 'Widget',
      resource: 'widgets.widgets.example.com',
      namespace: '',
      name: 'w1',
    });
  });

  it('refuses a scope that does not match the CRD and names that are not object names', () => {
    assert.equal(customTarget(namespaced, '-', 'w1'), 'widgets are namespaced');
    assert.equal(customTarget(clusterScoped, 'shop', 'w1'), 'widgets are not namespaced: use -');
    assert.equal(customTarget(namespaced, 'shop', '../w1'), 'not a namespace and object name');
    assert.equal(customTarget(namespaced, 'Shop', 'w1'), 'not a namespace and object name');
  });
});
