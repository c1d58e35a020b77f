import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { installCrds, sharedControlPlane, uniqueName, waitFor } from '@strata/harness';
import { etcdCrds } from './crds.ts';
import { ETCD_BACKUP, ETCD_RESTORE } from './etcd-backup.ts';
import {
  ETCD_CLUSTER,
  ETCD_DEFAULT_TLS,
  ETCD_TLS_IMMUTABLE_MESSAGE,
  parseEtcdCluster,
  type EtcdClusterSpecInput,
} from './etcd-cluster.ts';
import { EtcdResourceError } from './common.ts';

// Every object is sent with dryRun=All, so nothing is stored for the operator's tests that share the control plane.

const cluster = await sharedControlPlane();
const kubeConfig = cluster.adminKubeConfig();
const customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
const namespace = uniqueName('etcd-crds');

const aSpec = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  size: 3,
  version: '3.6.16',
  storage: { emptyDir: {} },
  ...overrides,
});

const anObject = (names: { apiVersion: string; kind: string }, spec: Record<string, unknown>) => ({
  apiVersion: names.apiVersion,
  kind: names.kind,
  metadata: { name: 'probe', namespace },
  spec,
});

interface Answer {
  readonly code: number;
  readonly message: string;
}

function statusMessage(body: unknown): string {
  try {
    const message: unknown = (JSON.parse(String(body)) as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  } catch {
    // Not a Status: the raw body says what happened.
  }
  return String(body);
}

async function create(plural: string, body: Record<string, unknown>): Promise<Answer> {
  try {
    await customObjects.createNamespacedCustomObject({
      group: ETCD_CLUSTER.group,
      version: ETCD_CLUSTER.version,
      namespace,
      plural,
      body,
      dryRun: 'All',
      fieldValidation: 'Strict',
    });
    return { code: 201, message: '' };
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    return { code: error.code, message: statusMessage(error.body) };
  }
}

async function patchAnswer(
  address: { group: string; version: string; namespace: string; plural: string; name: string },
  body: readonly object[],
): Promise<Answer> {
  try {
    await customObjects.patchNamespacedCustomObject(
      { ...address, body },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    return { code: 200, message: '' };
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    return { code: error.code, message: statusMessage(error.body) };
  }
}

interface Refused {
  readonly name: string;
  readonly spec: Record<string, unknown>;
  /** The field the API server's message must name. */
  readonly field: string;
}

const REFUSED_CLUSTERS: readonly Refused[] = [
  { name: 'size 0', spec: aSpec({ size: 0 }), field: 'spec.size' },
  { name: 'size 8', spec: aSpec({ size: 8 }), field: 'spec.size' },
  { name: 'a backend quota under 1 MiB', spec: aSpec({ quotaBackendBytes: 1000 }), field: 'spec.quotaBackendBytes' },
  { name: 'a version with a leading v', spec: aSpec({ version: 'v3.6.16' }), field: 'spec.version' },
  { name: 'a version that is no release', spec: aSpec({ version: 'latest' }), field: 'spec.version' },
  { name: 'no storage at all', spec: aSpec({ storage: {} }), field: 'spec.storage' },
  {
    name: 'both a PVC and emptyDir',
    spec: aSpec({ storage: { emptyDir: {}, pvc: { size: '1Gi' } } }),
    field: 'spec.storage',
  },
  {
    name: 'a PVC size that is no quantity',
    spec: aSpec({ storage: { pvc: { size: 'big' } } }),
    field: 'spec.storage.pvc.size',
  },
  { name: 'an unknown recovery', spec: aSpec({ recovery: 'hope' }), field: 'spec.recovery' },
  {
    name: 'a defragmentation schedule of four fields',
    spec: aSpec({ defragmentation: { schedule: '0 3 * *' } }),
    field: 'spec.defragmentation.schedule',
  },
  {
    name: 'a defragmentation schedule with words',
    spec: aSpec({ defragmentation: { schedule: 'every night' } }),
    field: 'spec.defragmentation.schedule',
  },
  {
    name: 'both TLS forms',
    spec: aSpec({ tls: { auto: {}, secrets: { peerSecret: 'a', serverSecret: 'b', clientSecret: 'c' } } }),
    field: 'spec.tls',
  },
  { name: 'automatic TLS and TLS disabled', spec: aSpec({ tls: { auto: {}, disabled: {} } }), field: 'spec.tls' },
  { name: 'a TLS object naming no form', spec: aSpec({ tls: {} }), field: 'spec.tls' },
];

describe('the etcd.strata.dev CRDs on a real API server', () => {
  before(async () => {
    await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    await installCrds(kubeConfig, etcdCrds());
    await waitFor('EtcdClusters to be served', async () =>
      (await create(ETCD_CLUSTER.plural, anObject(ETCD_CLUSTER, aSpec()))).code === 201 ? true : undefined,
    );
  });

  it('accepts a cluster on emptyDir, one on a PVC, and the defaults match zod', async () => {
    assert.equal((await create(ETCD_CLUSTER.plural, anObject(ETCD_CLUSTER, aSpec()))).code, 201);
    const pvc = aSpec({
      size: 5,
      storage: { pvc: { size: '8Gi', storageClassName: 'local-path' } },
      defragmentation: { schedule: '*/30 2-4 * * 1,3,5' },
      recovery: 'fromLatestBackup',
      podTemplate: { nodeSelector: { 'node-role.kubernetes.io/etcd': '' }, tolerations: [{ operator: 'Exists' }] },
    });
    assert.equal((await create(ETCD_CLUSTER.plural, anObject(ETCD_CLUSTER, pvc))).code, 201);
    const created: unknown = await customObjects.createNamespacedCustomObject({
      group: ETCD_CLUSTER.group,
      version: ETCD_CLUSTER.version,
      namespace,
      plural: ETCD_CLUSTER.plural,
      body: anObject(ETCD_CLUSTER, pvc),
      dryRun: 'All',
    });
    const spec: EtcdClusterSpecInput = { size: 5, version: '3.6.16', storage: { pvc: { size: '8Gi' } } };
    assert.deepEqual(parseEtcdCluster(created).spec.storage, {
      pvc: { size: '8Gi', storageClassName: 'local-path', retainOnDelete: true },
    });
    assert.equal(parseEtcdCluster(anObject(ETCD_CLUSTER, spec)).spec.paused, false);
    assert.equal(parseEtcdCluster(created).spec.paused, false, 'the API server fills in the same default');
  });

  it('gives a cluster without tls automatic TLS, as zod does, and keeps an explicit disabled', async () => {
    const created: unknown = await customObjects.createNamespacedCustomObject({
      group: ETCD_CLUSTER.group,
      version: ETCD_CLUSTER.version,
      namespace,
      plural: ETCD_CLUSTER.plural,
      body: anObject(ETCD_CLUSTER, aSpec()),
      dryRun: 'All',
    });
    const stored = (created as { spec?: Record<string, unknown> }).spec?.['tls'];
    assert.deepEqual(stored, { auto: { certificateValidityHours: 8760 } }, 'the API server defaults tls');
    assert.deepEqual(stored, ETCD_DEFAULT_TLS);
    assert.deepEqual(parseEtcdCluster(anObject(ETCD_CLUSTER, aSpec())).spec.tls, stored, 'zod gives the same');
    const plaintext: unknown = await customObjects.createNamespacedCustomObject({
      group: ETCD_CLUSTER.group,
      version: ETCD_CLUSTER.version,
      namespace,
      plural: ETCD_CLUSTER.plural,
      body: anObject(ETCD_CLUSTER, aSpec({ tls: { disabled: {} } })),
      dryRun: 'All',
    });
    assert.deepEqual(parseEtcdCluster(plaintext).spec.tls, { disabled: {} });
  });

  it('refuses any change to spec.tls of a stored cluster, naming the field and the way out', async () => {
    const name = uniqueName('tls-immutable');
    const address = {
      group: ETCD_CLUSTER.group,
      version: ETCD_CLUSTER.version,
      namespace,
      plural: ETCD_CLUSTER.plural,
      name,
    };
    // Stored for real (no dry run): a transition rule has an old object only on an update. No operator watches this
    // namespace, and the object is deleted at the end.
    await customObjects.createNamespacedCustomObject({
      ...address,
      body: { ...anObject(ETCD_CLUSTER, aSpec({ tls: { disabled: {} } })), metadata: { name, namespace } },
    });
    try {
      const changes: readonly { readonly what: string; readonly tls: unknown }[] = [
        { what: 'disabled → auto', tls: { auto: {} } },
        {
          what: 'disabled → the user’s secrets',
          tls: { secrets: { peerSecret: 'p', serverSecret: 's', clientSecret: 'c' } },
        },
      ];
      for (const change of changes) {
        const answer = await patchAnswer(address, [{ op: 'replace', path: '/spec/tls', value: change.tls }]);
        assert.equal(answer.code, 422, `${change.what}: ${answer.message}`);
        assert.ok(answer.message.includes('spec.tls'), answer.message);
        assert.ok(answer.message.includes(ETCD_TLS_IMMUTABLE_MESSAGE), answer.message);
        assert.match(answer.message, /create a new EtcdCluster .* restore a backup of this one into it/);
      }
      // Removing tls is no way round it: the default fills in automatic TLS, which is a change too.
      const removed = await patchAnswer(address, [{ op: 'remove', path: '/spec/tls' }]);
      assert.equal(removed.code, 422, removed.message);
      // Another field changes freely.
      assert.equal((await patchAnswer(address, [{ op: 'replace', path: '/spec/size', value: 5 }])).code, 200);
    } finally {
      await customObjects.deleteNamespacedCustomObject(address);
    }
  });

  it('refuses a change of automatic TLS’s validity on a stored cluster', async () => {
    const name = uniqueName('tls-validity');
    const address = {
      group: ETCD_CLUSTER.group,
      version: ETCD_CLUSTER.version,
      namespace,
      plural: ETCD_CLUSTER.plural,
      name,
    };
    await customObjects.createNamespacedCustomObject({
      ...address,
      body: { ...anObject(ETCD_CLUSTER, aSpec()), metadata: { name, namespace } },
    });
    try {
      const answer = await patchAnswer(address, [
        { op: 'replace', path: '/spec/tls/auto/certificateValidityHours', value: 48 },
      ]);
      assert.equal(answer.code, 422, answer.message);
      assert.ok(answer.message.includes('spec.tls'), answer.message);
      assert.ok(answer.message.includes(ETCD_TLS_IMMUTABLE_MESSAGE), answer.message);
    } finally {
      await customObjects.deleteNamespacedCustomObject(address);
    }
  });

  for (const refused of REFUSED_CLUSTERS) {
    it(`refuses an EtcdCluster with ${refused.name}, naming ${refused.field}`, async () => {
      const answer = await create(ETCD_CLUSTER.plural, anObject(ETCD_CLUSTER, refused.spec));
      assert.equal(answer.code, 422, answer.message);
      assert.ok(answer.message.includes(refused.field), `expected ${refused.field} in: ${answer.message}`);
      assert.throws(
        () => parseEtcdCluster(anObject(ETCD_CLUSTER, refused.spec)),
        (error: unknown) => error instanceof EtcdResourceError && error.field.startsWith(refused.field),
        'zod refuses it too, naming the same field',
      );
    });
  }

  it('accepts an EtcdBackup of the control plane’s etcd to S3 and refuses one with two sources', async () => {
    const backup = {
      source: { endpoints: { urls: ['https://127.0.0.2:2379'], clientTLSSecret: 'etcd-client' } },
      destination: { s3: { endpoint: 'http://127.0.0.1:9000', bucket: 'backups', credentialsSecret: 's3-creds' } },
      schedule: '0 */6 * * *',
      retention: { maxBackups: 10, maxAge: '168h' },
    };
    assert.equal((await create(ETCD_BACKUP.plural, anObject(ETCD_BACKUP, backup))).code, 201);
    const twoSources = { ...backup, source: { ...backup.source, clusterRef: { name: 'main' } } };
    const answer = await create(ETCD_BACKUP.plural, anObject(ETCD_BACKUP, twoSources));
    assert.equal(answer.code, 422, answer.message);
    assert.ok(answer.message.includes('spec.source'), answer.message);
    const badSchedule = await create(ETCD_BACKUP.plural, anObject(ETCD_BACKUP, { ...backup, schedule: '61 * *' }));
    assert.ok(badSchedule.message.includes('spec.schedule'), badSchedule.message);
  });

  it('accepts an EtcdRestore into a new cluster and refuses one whose cluster size is out of range', async () => {
    const restore = { source: { backup: { name: 'nightly' } }, cluster: { name: 'restored', spec: aSpec() } };
    assert.equal((await create(ETCD_RESTORE.plural, anObject(ETCD_RESTORE, restore))).code, 201);
    const answer = await create(
      ETCD_RESTORE.plural,
      anObject(ETCD_RESTORE, { ...restore, cluster: { name: 'restored', spec: aSpec({ size: 9 }) } }),
    );
    assert.equal(answer.code, 422, answer.message);
    assert.ok(answer.message.includes('spec.cluster.spec.size'), answer.message);
  });
});
