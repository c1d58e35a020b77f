import assert from 'node:assert/strict';
import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import type { BootstrapTokenInput, ManifestInputs } from './inputs.ts';
import type { ManifestFile } from './manifest-file.ts';

/** A worker's valid bootstrap token; tests override only what they are about. */
export function bootstrapTokenInput(overrides: Partial<BootstrapTokenInput> = {}): BootstrapTokenInput {
  return {
    id: 'abcdef',
    secret: '0123456789abcdef',
    expiration: '2030-01-02T03:04:05Z',
    target: { kind: 'node', name: 'test-cluster-worker-0' },
    ...overrides,
  };
}

/** Valid manifest inputs; tests override only what they are about. */
export function manifestInputs(overrides: Partial<ManifestInputs> = {}): ManifestInputs {
  return {
    clusterName: 'test-cluster',
    kubernetesVersion: 'v1.36.3',
    podCidr: '10.2.0.0/16',
    // The harness's kube-apiserver allocates Service IPs from 10.3.0.0/24, so dnsServiceIp lies inside it too.
    serviceCidr: '10.3.0.0/16',
    clusterDomain: 'cluster.local',
    dnsServiceIp: '10.3.0.10',
    apiServer: { host: '192.0.2.10', port: 6443 },
    bootstrapTokens: [bootstrapTokenInput()],
    ...overrides,
  };
}

/** The one object of `kind` named `name` among the rendered files (the test fails if there is not exactly one). */
export function find<T extends KubernetesObject>(files: readonly ManifestFile[], kind: string, name: string): T {
  const found = files
    .flatMap((file) => file.objects)
    .filter((object) => object.kind === kind && object.metadata?.name === name);
  assert.equal(found.length, 1, `exactly one ${kind} ${name}`);
  return found[0] as T;
}

/** A key of a rendered ConfigMap's data. */
export function configData(files: readonly ManifestFile[], name: string, key: string): string {
  const value = find<V1ConfigMap>(files, 'ConfigMap', name).data?.[key];
  assert.ok(value !== undefined, `ConfigMap ${name} has ${key}`);
  return value;
}
