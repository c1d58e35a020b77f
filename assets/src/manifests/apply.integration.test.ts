import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubernetesObjectApi, PatchStrategy, type KubernetesObject, type V1Service } from '@kubernetes/client-node';
import { sharedControlPlane } from '@strata/harness';
import { manifestFileToYaml, renderBootstrapManifests } from './index.ts';
import { manifestInputs } from './test-fixtures.ts';
import { canonicalObject } from './yaml.ts';

// The namespaced objects live in kube-system under fixed names, and the control plane is shared with other test
// files: every step here is an apply, which converges whatever ran before, and nothing is deleted afterwards.

const FIELD_MANAGER = 'strata-render';
const inputs = manifestInputs();
const files = renderBootstrapManifests(inputs);
const everyObject = files.flatMap((file) => file.objects);

// At the top level, so that a control plane this file starts for itself is stopped when the whole file is done,
// not when the hook or test that first asked for it ends.
const cluster = await sharedControlPlane();
const client = KubernetesObjectApi.makeApiClient(cluster.adminKubeConfig());

const describeObject = (object: KubernetesObject): string =>
  `${object.kind} ${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;

/** Fails unless every field of `expected` is in `actual` with the same value; the server may add defaults. */
function assertSubset(expected: unknown, actual: unknown, path: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected a list, the server has ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${path}: list length`);
    expected.forEach((item, index) => assertSubset(item, actual[index], `${path}[${index}]`));
  } else if (typeof expected === 'object' && expected !== null) {
    assert.ok(typeof actual === 'object' && actual !== null, `${path}: expected a map, the server has ${JSON.stringify(actual)}`);
    for (const [key, value] of Object.entries(expected)) {
      assertSubset(value, (actual as Record<string, unknown>)[key], `${path}.${key}`);
    }
  } else {
    assert.equal(actual, expected, path);
  }
}

describe('bootstrap manifests on a real control plane', () => {
  const apply = (object: KubernetesObject) =>
    client.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  const kubectlDryRun = (yaml: string) =>
    cluster.kubectl(
      ['apply', '--server-side', '--dry-run=server', '--validate=strict', `--field-manager=${FIELD_MANAGER}`, '-f', '-'],
      yaml,
    );

  // The client's typed serializer silently drops fields its models do not know, so a misspelt field would never
  // reach the server through it. kubectl sends the YAML as written, with fieldValidation=Strict.
  it('passes strict server-side validation exactly as written to disk', async () => {
    for (const file of files) {
      const result = await kubectlDryRun(manifestFileToYaml(file));
      assert.equal(result.code, 0, `${file.fileName}: ${result.stderr}`);
    }
  });

  it('has a strict check that does refuse a misspelt field', async () => {
    const flannel = files.find((file) => file.fileName === '20-flannel.yaml');
    assert.ok(flannel);
    const misspelt = manifestFileToYaml(flannel).replace('      hostNetwork: true', '      hostNetwork: true\n      hostNetwrok: true');
    assert.notEqual(misspelt, manifestFileToYaml(flannel), 'the field was injected');
    const result = await kubectlDryRun(misspelt);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /\.spec\.template\.spec\.hostNetwrok: field not declared in schema/);
  });

  it('applies every object in file order, and the server keeps every field it was sent', async () => {
    for (const file of files) {
      for (const object of file.objects) {
        const applied = await apply(object);
        assert.ok(applied.metadata?.resourceVersion, describeObject(object));
        // Through JSON, so that the client's model classes compare as plain data.
        assertSubset(canonicalObject(object), JSON.parse(JSON.stringify(applied)) as unknown, describeObject(object));
      }
    }
  });

  it('changes nothing when everything is applied again', async () => {
    const versions = async () => {
      const result = new Map<string, string | undefined>();
      for (const object of everyObject) result.set(describeObject(object), (await apply(object)).metadata?.resourceVersion);
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
