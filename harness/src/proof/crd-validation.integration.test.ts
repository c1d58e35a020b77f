import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  ApiextensionsV1Api,
  KubernetesObjectApi,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { sharedControlPlane } from '../shared.ts';
import { uniqueName } from '../unique-name.ts';
import { waitFor } from '@strata/host';

function widgetDefinition(group: string): V1CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  required: ['replicas'],
                  properties: { replicas: { type: 'integer', minimum: 1, maximum: 5 } },
                },
              },
            },
          },
        },
      ],
    },
  };
}

describe('a CRD with an OpenAPI schema', () => {
  const group = `${uniqueName('crd')}.strata.dev`;
  let crds: ApiextensionsV1Api;
  let objects: KubernetesObjectApi;

  before(async () => {
    const cluster = await sharedControlPlane();
    const config = cluster.adminKubeConfig();
    crds = config.makeApiClient(ApiextensionsV1Api);
    objects = KubernetesObjectApi.makeApiClient(config);
    await crds.createCustomResourceDefinition({ body: widgetDefinition(group) });
    await waitFor('the CRD to be established', async () => {
      const crd = await crds.readCustomResourceDefinition({ name: `widgets.${group}` });
      return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
    });
  });

  after(async () => {
    await crds.deleteCustomResourceDefinition({ name: `widgets.${group}` });
  });

  const widget = (name: string, replicas: unknown) => ({
    apiVersion: `${group}/v1`,
    kind: 'Widget',
    metadata: { name, namespace: 'default' },
    spec: { replicas },
  });

  it('accepts an object that matches the schema', async () => {
    const created = await objects.create(widget(uniqueName('ok'), 3));
    assert.equal((created as { spec?: { replicas?: number } }).spec?.replicas, 3);
  });

  it('rejects an object that breaks the schema, naming the field', async () => {
    await assert.rejects(objects.create(widget(uniqueName('bad'), 9)), (error: unknown) => {
      assert.ok(error instanceof ApiException, `expected an ApiException, got ${String(error)}`);
      assert.equal(error.code, 422);
      assert.match(String(error.body), /spec\.replicas/);
      return true;
    });
  });

  it('rejects an object of the wrong type', async () => {
    await assert.rejects(objects.create(widget(uniqueName('bad'), 'three')), (error: unknown) => {
      assert.ok(error instanceof ApiException);
      assert.equal(error.code, 422);
      assert.match(String(error.body), /spec\.replicas.*integer/s);
      return true;
    });
  });
});
