import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiextensionsV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  dumpYaml,
  loadAllYaml,
  type KubernetesObject,
  type V1Service,
} from '@kubernetes/client-node';
import { sharedControlPlane, waitFor } from '@strata/harness';
import { parse } from 'yaml';
import { UPDATE_POLICY } from '@strata/api';
import { UPDATE_OPERATOR_NAMES, manifestFileToYaml, renderBootstrapManifests } from './index.ts';
import { manifestInputs } from './test-fixtures.ts';
import { canonicalObject } from './yaml.ts';

// The namespaced objects live in kube-system and strata-system under fixed names, and the control plane is shared
// with other test files: every step here is an apply, which converges whatever ran before, and nothing is deleted
// afterwards but the default UpdatePolicy (see the `after` hook).

const FIELD_MANAGER = 'strata-render';
const inputs = manifestInputs();
const files = renderBootstrapManifests(inputs);
/**
 * Each file's objects as client-node loads them from the YAML written to disk. Its serializer knows built-in kinds
 * only through its models, whose names for a CRD's schema keys (`xKubernetesValidations`) differ from the wire's, so
 * the objects must be loaded into those models rather than sent as plain data.
 */
const loaded = files.map((file) => ({ file, objects: loadAllYaml(manifestFileToYaml(file)) as KubernetesObject[] }));
const everyObject = loaded.flatMap(({ objects }) => objects);

// At the top level, so that a control plane this file starts for itself is stopped when the whole file is done,
// not when the hook or test that first asked for it ends.
const cluster = await sharedControlPlane();
const client = KubernetesObjectApi.makeApiClient(cluster.adminKubeConfig());
const extensions = cluster.adminKubeConfig().makeApiClient(ApiextensionsV1Api);

const describeObject = (object: KubernetesObject): string =>
  `${object.kind} ${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;

/** Fails unless every field of `expected` is in `actual` with the same value; the server may add defaults. */
function assertSubset(expected: unknown, actual: unknown, path: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected a list, the server has ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${path}: list length`);
    expected.forEach((item, index) => assertSubset(item, actual[index], `${path}[${index}]`));
  } else if (typeof expected === 'object' && expected !== null) {
    assert.ok(
      typeof actual === 'object' && actual !== null,
      `${path}: expected a map, the server has ${JSON.stringify(actual)}`,
    );
    for (const [key, value] of Object.entries(expected)) {
      assertSubset(value, (actual as Record<string, unknown>)[key], `${path}.${key}`);
    }
  } else {
    assert.equal(actual, expected, path);
  }
}

/** An object the server returned, in its wire form (the models' names mapped back), as plain data. */
const wireForm = (object: KubernetesObject): unknown => parse(dumpYaml(object));

/** Custom resources are served a moment after their CRD is established. */
async function untilServed(object: KubernetesObject): Promise<void> {
  if (object.kind !== 'CustomResourceDefinition') return;
  const name = object.metadata?.name ?? '';
  await waitFor(`CRD ${name} to be established`, async () => {
    const crd = await extensions.readCustomResourceDefinition({ name });
    return crd.status?.conditions?.some((condition) => condition.type === 'Established' && condition.status === 'True')
      ? true
      : undefined;
  });
}

describe('bootstrap manifests on a real control plane', () => {
  const apply = (object: KubernetesObject) =>
    client.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);

  // The update operator's tests on this control plane make UpdatePolicies of their own, which the default policy
  // (every node) would overlap.
  after(async () => {
    await client.delete({
      apiVersion: UPDATE_POLICY.apiVersion,
      kind: UPDATE_POLICY.kind,
      metadata: { name: UPDATE_OPERATOR_NAMES.defaultPolicy },
    });
  });
  const kubectlDryRun = (yaml: string) =>
    cluster.kubectl(
      [
        'apply',
        '--server-side',
        '--dry-run=server',
        '--validate=strict',
        `--field-manager=${FIELD_MANAGER}`,
        '-f',
        '-',
      ],
      yaml,
    );

  // The client's typed serializer silently drops fields its models do not know, so a misspelt field would never
  // reach the server through it. kubectl sends the YAML as written, with fieldValidation=Strict. A file is checked
  // once the files before it are applied: a custom resource is only valid once its CRD exists.
  it('passes strict server-side validation exactly as written to disk', async () => {
    for (const { file, objects } of loaded) {
      const result = await kubectlDryRun(manifestFileToYaml(file));
      assert.equal(result.code, 0, `${file.fileName}: ${result.stderr}`);
      for (const object of objects) {
        await apply(object);
        await untilServed(object);
      }
    }
  });

  it('has a strict check that does refuse a misspelt field', async () => {
    const flannel = files.find((file) => file.fileName === '20-flannel.yaml');
    assert.ok(flannel);
    const misspelt = manifestFileToYaml(flannel).replace(
      '      hostNetwork: true',
      '      hostNetwork: true\n      hostNetwrok: true',
    );
    assert.notEqual(misspelt, manifestFileToYaml(flannel), 'the field was injected');
    const result = await kubectlDryRun(misspelt);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /\.spec\.template\.spec\.hostNetwrok: field not declared in schema/);
  });

  it('applies every object in file order, and the server keeps every field it was sent', async () => {
    for (const { file, objects } of loaded) {
      for (const [index, typed] of objects.entries()) {
        const object = file.objects[index];
        assert.ok(object, `${file.fileName} loads as many objects as it was written with`);
        const applied = await apply(typed);
        await untilServed(object);
        assert.ok(applied.metadata?.resourceVersion, describeObject(object));
        assertSubset(canonicalObject(object), wireForm(applied), describeObject(object));
      }
    }
  });

  it('changes nothing when everything is applied again', async () => {
    const versions = async () => {
      const result = new Map<string, string | undefined>();
      for (const object of everyObject)
        result.set(describeObject(object), (await apply(object)).metadata?.resourceVersion);
      return result;
    };
    const first = await versions();
    const second = await versions();
    assert.equal(second.size, everyObject.length);
    for (const [object, version] of second) {
      assert.ok(version, object);
      assert.equal(version, first.get(object), `${object} was written again`);
    }
  });

  it('gives the kube-dns Service the requested ClusterIP', async () => {
    for (const object of everyObject) await apply(object);
    const service = await client.read<V1Service>({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: 'kube-system' },
    });
    assert.equal(service.spec?.clusterIP, inputs.dnsServiceIp);
    assert.deepEqual(service.spec?.clusterIPs, [inputs.dnsServiceIp]);
  });
});
