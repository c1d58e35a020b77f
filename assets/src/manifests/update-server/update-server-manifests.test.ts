import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type {
  KubernetesObject,
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1Deployment,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Role,
} from '@kubernetes/client-node';
import { UPDATE_CHANNEL, UPDATE_GROUP, UPDATE_RELEASE } from '@strata/api';
import { UPDATE_SERVER_DATA_DIR, UPDATE_SERVER_PORT } from '../../render/catalog/node-files.ts';
import { ManifestInputsError } from '../inputs.ts';
import { renderBootstrapManifests } from '../render.ts';
import { find, manifestInputs } from '../test-fixtures.ts';
import { UPDATE_SERVER_NAMES, UPDATE_SERVER_NAMESPACE } from './names.ts';
import { UPDATE_SERVER_IMAGE } from '../images.ts';

const tls = {
  certPem: '-----BEGIN CERTIFICATE-----\nc2VydmluZw==\n-----END CERTIFICATE-----\n',
  keyPem: '-----BEGIN PRIVATE KEY-----\na2V5\n-----END PRIVATE KEY-----\n',
};
const placed = manifestInputs({ updateServer: { nodeName: 'test-cluster-controller-0', tls } });
const files = renderBootstrapManifests(placed);
const rules = (role: V1ClusterRole | V1Role) => role.rules ?? [];
const verbsOn = (role: V1ClusterRole | V1Role, resource: string): string[] =>
  rules(role)
    .filter((rule) => rule.resources?.includes(resource))
    .flatMap((rule) => rule.verbs)
    .sort();

describe('the update server manifests', () => {
  it('installs the three CRDs before the server, and only the CRDs where the server is not placed', () => {
    const crds = files.find((file) => file.fileName === '57-update-server-crds.yaml');
    assert.deepEqual(
      crds?.objects.map((object) => object.metadata?.name),
      [UPDATE_RELEASE, UPDATE_CHANNEL, UPDATE_GROUP].map((kind) => `${kind.plural}.${kind.group}`),
    );
    assert.ok(files.some((file) => file.fileName === '58-update-server.yaml'));
    const unplaced = renderBootstrapManifests(manifestInputs()).map((file) => file.fileName);
    assert.ok(unplaced.includes('57-update-server-crds.yaml'));
    assert.ok(!unplaced.includes('58-update-server.yaml'));
  });

  it('runs one replica on the named controller, on its host network at the fixed port, over TLS, with SQLite on a claim', () => {
    const deployment = find<V1Deployment>(files, 'Deployment', UPDATE_SERVER_NAMES.server);
    const pod = deployment.spec?.template.spec;
    assert.equal(deployment.spec?.replicas, 1);
    assert.equal(deployment.spec?.strategy?.type, 'Recreate', 'two pods can hold neither the port nor the database');
    assert.equal(pod?.hostNetwork, true);
    assert.equal(pod?.nodeSelector?.['kubernetes.io/hostname'], 'test-cluster-controller-0');
    assert.ok(pod?.tolerations?.some((toleration) => toleration.key === 'node-role.kubernetes.io/control-plane'));
    const container = pod?.containers[0];
    assert.equal(container?.image, UPDATE_SERVER_IMAGE);
    const args = container?.args ?? [];
    const mountOf = (volume: string) => container?.volumeMounts?.find((mount) => mount.name === volume)?.mountPath;
    assert.deepEqual(args, [
      'run',
      `--lease-namespace=${UPDATE_SERVER_NAMESPACE}`,
      '--host=$(POD_IP)',
      `--port=${UPDATE_SERVER_PORT}`,
      `--tls-cert-file=${mountOf('tls') ?? '(unmounted)'}/tls.crt`,
      `--tls-key-file=${mountOf('tls') ?? '(unmounted)'}/tls.key`,
      `--sqlite-path=${mountOf('data') ?? '(unmounted)'}/updates.db`,
    ]);
    const volumes = new Map((pod?.volumes ?? []).map((volume) => [volume.name, volume]));
    assert.equal(volumes.get('tls')?.secret?.secretName, UPDATE_SERVER_NAMES.tlsSecret);
    assert.equal(volumes.get('data')?.persistentVolumeClaim?.claimName, UPDATE_SERVER_NAMES.dataClaim);
    assert.equal(container?.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(pod?.securityContext?.runAsNonRoot, true);
    const claim = find<V1PersistentVolumeClaim>(files, 'PersistentVolumeClaim', UPDATE_SERVER_NAMES.dataClaim);
    assert.equal(claim.spec?.volumeName, UPDATE_SERVER_NAMES.dataVolume);
    assert.equal(claim.spec?.storageClassName, '');
    assert.equal(claim.spec?.resources?.requests?.storage, '1Gi');
    // A local volume made by Ignition on the pinned controller, bound in advance: no StorageClass on any platform.
    const volume = find<V1PersistentVolume>(files, 'PersistentVolume', UPDATE_SERVER_NAMES.dataVolume);
    assert.equal(volume.spec?.local?.path, UPDATE_SERVER_DATA_DIR.path);
    assert.equal(volume.spec?.storageClassName, '');
    assert.equal(volume.spec?.persistentVolumeReclaimPolicy, 'Retain');
    assert.deepEqual(volume.spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.values, [
      'test-cluster-controller-0',
    ]);
    assert.deepEqual(volume.spec?.claimRef, {
      namespace: UPDATE_SERVER_NAMESPACE,
      name: UPDATE_SERVER_NAMES.dataClaim,
    });
    const secret = find<KubernetesObject & { data?: Record<string, string> }>(
      files,
      'Secret',
      UPDATE_SERVER_NAMES.tlsSecret,
    );
    assert.equal(Buffer.from(secret.data?.['tls.key'] ?? '', 'base64').toString('utf8'), tls.keyPem);
  });

  it('grants only what the server calls: read the resources, write their status, patch on a user’s behalf, its own Lease, delegated auth', () => {
    const role = find<V1ClusterRole>(files, 'ClusterRole', `strata:${UPDATE_SERVER_NAMES.server}`);
    assert.deepEqual(verbsOn(role, UPDATE_RELEASE.plural), ['get', 'list', 'watch'], 'releases are only read');
    assert.deepEqual(verbsOn(role, UPDATE_CHANNEL.plural), ['get', 'list', 'patch', 'watch']);
    assert.deepEqual(verbsOn(role, UPDATE_GROUP.plural), ['get', 'list', 'patch', 'watch']);
    assert.deepEqual(verbsOn(role, `${UPDATE_GROUP.plural}/status`), ['update']);
    assert.deepEqual(verbsOn(role, `${UPDATE_CHANNEL.plural}/status`), ['update']);
    const everyVerb = rules(role).flatMap((rule) => rule.verbs);
    assert.ok(!everyVerb.includes('delete') && !everyVerb.includes('*'), 'nothing is ever deleted');
    assert.ok(!rules(role).some((rule) => rule.resources?.includes('secrets')), 'no Secret is read');
    const delegation = find<V1ClusterRoleBinding>(
      files,
      'ClusterRoleBinding',
      `strata:${UPDATE_SERVER_NAMES.server}:auth-delegator`,
    );
    assert.equal(delegation.roleRef.name, 'system:auth-delegator');
    const lease = find<V1Role>(files, 'Role', `strata:${UPDATE_SERVER_NAMES.server}-leader-election`);
    assert.deepEqual(lease.rules?.find((rule) => rule.resourceNames !== undefined)?.resourceNames, [
      UPDATE_SERVER_NAMES.lease,
    ]);
  });

  it('refuses a placement that names no node, naming the field', () => {
    assert.throws(
      () => renderBootstrapManifests(manifestInputs({ updateServer: { nodeName: 'Not A Node', tls } })),
      (error: unknown) => error instanceof ManifestInputsError && error.issues[0]?.field === 'updateServer.nodeName',
    );
  });
});
