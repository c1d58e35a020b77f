import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  type KubeConfig,
} from '@kubernetes/client-node';
import { sharedControlPlane, uniqueName, waitFor, type HarnessCluster } from '@strata/harness';
import type { BootSnapshot } from '../store/store.ts';
import { BootApiClient } from '@strata/api/boot-client';
import { BootApiError, InvalidWriteError, MAX_METADATA_DEPTH, type Profile } from '@strata/api';
import { startWriteApi } from '../api/server.ts';
import { aGroup, aProfile, writeApiCredentials } from '../api/testing/index.ts';
import { BOOT_API_GROUP, BOOT_API_VERSION, MACHINE_GROUP, MACHINE_PROFILE, TEMPLATE_KIND_LABEL } from '@strata/api';
import { KubernetesStoreError } from './errors.ts';
import { installBootCrds } from './install.ts';
import { KubernetesBootStore } from './kubernetes-store.ts';
import { toMachineGroup } from './resources.ts';
import { bootServerRole } from './rbac.ts';

/** A snapshot as plain sorted data, so that two replicas' snapshots compare with deepEqual. */
function view(snapshot: BootSnapshot) {
  const sorted = <V>(map: ReadonlyMap<string, V>) => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  return {
    profiles: sorted(snapshot.profiles),
    groups: sorted(snapshot.groups),
    templates: {
      ignition: sorted(snapshot.templates.ignition),
      generic: sorted(snapshot.templates.generic),
      cloud: sorted(snapshot.templates.cloud),
    },
  };
}

async function converged(a: KubernetesBootStore, b: KubernetesBootStore): Promise<void> {
  await waitFor('both replicas to hold the same snapshot', () =>
    JSON.stringify(view(a.snapshot())) === JSON.stringify(view(b.snapshot())) ? true : undefined,
  );
  assert.deepEqual(view(a.snapshot()), view(b.snapshot()));
}

/** The status the API server answered with, for a call that must be refused. */
async function refusal(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ApiException, `expected an ApiException, got ${String(error)}`);
    const body: unknown = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
    return { code: error.code, message: String((body as { message?: unknown }).message) };
  }
  assert.fail('the API server accepted it');
}

describe('KubernetesBootStore on a real API server', () => {
  let cluster: HarnessCluster;
  let admin: KubeConfig;
  let namespace: string;
  let a: KubernetesBootStore;
  let b: KubernetesBootStore;

  before(async () => {
    cluster = await sharedControlPlane();
    admin = cluster.adminKubeConfig();
    await installBootCrds(admin);
    namespace = uniqueName('boot');
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    [a, b] = await Promise.all([
      KubernetesBootStore.start({ kubeConfig: admin, namespace }),
      KubernetesBootStore.start({ kubeConfig: admin, namespace }),
    ]);
  });

  after(async () => {
    await Promise.all([a.close(), b.close()]);
    await admin.makeApiClient(CoreV1Api).deleteNamespace({ name: namespace });
  });

  it('two replicas converge on the same snapshot after writes through either', async () => {
    const worker = aProfile({ id: 'worker', ignition_id: 'worker.ign' });
    await a.putProfile(worker);
    assert.deepEqual(
      a.snapshot().profiles.get('worker'),
      worker,
      'a replica sees its own write as soon as the write returns',
    );
    await b.putGroup(
      aGroup({
        id: 'node1',
        profile: 'worker',
        metadata: { etcd: { name: 'node1', peers: ['a', 'b'] }, count: 3, on: true },
      }),
    );
    await b.putGroup(aGroup({ id: 'default', profile: 'worker', selector: {} }));
    await a.putTemplate('ignition', 'worker.ign', '{"ignition":{"version":"3.4.0"}}');
    await b.putTemplate('generic', 'install.sh', '#!/bin/sh\necho {{.mac}}\n');
    await converged(a, b);
    assert.equal(b.snapshot().profiles.size, 1);
    assert.equal(b.snapshot().groups.size, 2);
    assert.deepEqual(
      b.snapshot().groups.get('node1')?.metadata,
      { etcd: { name: 'node1', peers: ['a', 'b'] }, count: 3, on: true },
      'arbitrary metadata survives the round trip',
    );
    assert.equal(b.snapshot().templates.ignition.get('worker.ign'), '{"ignition":{"version":"3.4.0"}}');

    await b.putProfile({ ...worker, boot: { ...worker.boot, args: ['flatcar.autologin'] } });
    await a.putTemplate('ignition', 'worker.ign', 'changed');
    await converged(a, b);
    assert.deepEqual(a.snapshot().profiles.get('worker')?.boot.args, ['flatcar.autologin']);
    assert.equal(b.snapshot().templates.ignition.get('worker.ign'), 'changed');

    assert.equal(await a.deleteGroup('node1'), true);
    assert.equal(await b.deleteGroup('node1'), false, 'already gone');
    assert.equal(await b.deleteTemplate('ignition', 'worker.ign'), true);
    assert.equal(await a.deleteTemplate('ignition', 'worker.ign'), false);
    assert.equal(a.snapshot().templates.ignition.has('worker.ign'), false);
    await converged(a, b);
    assert.equal(b.snapshot().groups.has('node1'), false);
  });

  it('notifies listeners with each new snapshot', async () => {
    const seen: BootSnapshot[] = [];
    const unsubscribe = b.onChange((snapshot) => seen.push(snapshot));
    try {
      await a.putProfile(aProfile({ id: 'listened' }));
      const snapshot = await waitFor('a change notification on the other replica', () =>
        seen.find((s) => s.profiles.has('listened')),
      );
      assert.equal(
        snapshot,
        b.snapshot().profiles.has('listened') ? snapshot : undefined,
        'the notified snapshot is in place',
      );
    } finally {
      unsubscribe();
    }
  });

  it('serves a ConfigMap made with kubectl, and edits only the key it is asked to', async () => {
    const core = admin.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: { name: 'hand-made', labels: { [TEMPLATE_KIND_LABEL]: 'ignition' } },
        data: { 'one.ign': '1', 'two.ign': '2' },
      },
    });
    await waitFor('the hand-made templates', () =>
      a.snapshot().templates.ignition.get('two.ign') === '2' ? true : undefined,
    );
    await a.putTemplate('ignition', 'one.ign', 'one');
    assert.deepEqual(
      (await core.readNamespacedConfigMap({ name: 'hand-made', namespace })).data,
      { 'one.ign': 'one', 'two.ign': '2' },
      'written in place',
    );
    assert.equal(await a.deleteTemplate('ignition', 'one.ign'), true);
    assert.deepEqual(
      (await core.readNamespacedConfigMap({ name: 'hand-made', namespace })).data,
      { 'two.ign': '2' },
      'the other template stays',
    );
    assert.equal(a.snapshot().templates.ignition.has('one.ign'), false);
    assert.equal(await a.deleteTemplate('ignition', 'two.ign'), true);
    await assert.rejects(
      core.readNamespacedConfigMap({ name: 'hand-made', namespace }),
      (error: unknown) => error instanceof ApiException && error.code === 404,
      'an emptied ConfigMap is deleted',
    );
  });

  it('refuses ids Kubernetes cannot hold, saying how to fix them', async () => {
    await assert.rejects(a.putProfile(aProfile({ id: 'Worker_1' })), (error: unknown) => {
      assert.ok(error instanceof InvalidWriteError, String(error));
      assert.equal(error.field, 'id');
      assert.match(error.message, /rename it, e\.g\. "worker-1"/);
      return true;
    });
    await assert.rejects(
      a.putTemplate('ignition', 'a b.ign', 'x'),
      (error: unknown) => error instanceof InvalidWriteError && error.field === 'name',
    );
  });

  it('refuses group metadata nested deeper than the other stores accept, on write and on read', async () => {
    let deep: unknown = 'bottom';
    for (let level = 0; level <= MAX_METADATA_DEPTH; level++) deep = { next: deep };
    const metadata = { deep };
    await assert.rejects(a.putGroup(aGroup({ id: 'too-deep', metadata })), (error: unknown) => {
      assert.ok(error instanceof InvalidWriteError, String(error));
      assert.equal(error.field, 'metadata');
      return true;
    });
    // Made with kubectl, past the write API: the API server keeps it, the store must not load it.
    const objects = admin.makeApiClient(CustomObjectsApi);
    const plural = { group: BOOT_API_GROUP, version: BOOT_API_VERSION, namespace, plural: MACHINE_GROUP.plural };
    for (const group of [
      aGroup({ id: 'deep-by-hand', metadata }),
      aGroup({ id: 'after-deep', metadata: { shallow: { ok: true } } }),
    ]) {
      await objects.createNamespacedCustomObject({ ...plural, body: toMachineGroup(group, namespace) });
    }
    // Watch events arrive in order: once the later object is loaded, the deep one has been seen and ignored.
    await waitFor('the group created after the deep one', () =>
      a.snapshot().groups.has('after-deep') ? true : undefined,
    );
    assert.equal(a.snapshot().groups.has('deep-by-hand'), false);
    assert.equal(a.snapshot().groups.has('too-deep'), false);
  });

  describe('the CRD schemas', () => {
    const create = (plural: string, kind: string, name: string, spec: unknown) =>
      admin.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
        group: BOOT_API_GROUP,
        version: BOOT_API_VERSION,
        namespace,
        plural,
        body: { apiVersion: `${BOOT_API_GROUP}/${BOOT_API_VERSION}`, kind, metadata: { name }, spec },
      });

    const cases: { what: string; plural: string; kind: string; spec: unknown; field: RegExp }[] = [
      {
        what: 'an initrd that is not a list',
        plural: MACHINE_PROFILE.plural,
        kind: MACHINE_PROFILE.kind,
        spec: { boot: { initrd: 'x' } },
        field: /spec\.boot\.initrd: Invalid value: "string"/,
      },
      {
        what: 'an ignition_id that leaves its directory',
        plural: MACHINE_PROFILE.plural,
        kind: MACHINE_PROFILE.kind,
        spec: { ignition_id: '../etc/shadow' },
        field: /spec\.ignition_id in body should match/,
      },
      {
        what: 'an ignition_id of ".."',
        plural: MACHINE_PROFILE.plural,
        kind: MACHINE_PROFILE.kind,
        spec: { ignition_id: '..' },
        field: /spec\.ignition_id: Invalid value: "\.\.": must not be "\." or "\.\."/,
      },
      {
        what: 'a selector value that is not a string',
        plural: MACHINE_GROUP.plural,
        kind: MACHINE_GROUP.kind,
        spec: { selector: { mac: 5 } },
        field: /spec\.selector\.mac: Invalid value: "integer"/,
      },
      {
        what: 'metadata that is not an object',
        plural: MACHINE_GROUP.plural,
        kind: MACHINE_GROUP.kind,
        spec: { metadata: 'x' },
        field: /spec\.metadata: Invalid value: "string"/,
      },
    ];
    for (const { what, plural, kind, spec, field } of cases) {
      it(`the API server refuses ${what}, naming the field`, async () => {
        const answer = await refusal(create(plural, kind, uniqueName('bad'), spec));
        assert.equal(answer.code, 422);
        assert.match(answer.message, field);
      });
    }

    it('accepts a complete, valid object and shows it through the store', async () => {
      await create(MACHINE_PROFILE.plural, MACHINE_PROFILE.kind, 'by-hand', {
        name: 'by hand',
        boot: { kernel: '/k', initrd: ['/i'], args: ['a=b'] },
        ignition_id: 'x.ign',
      });
      const profile = await waitFor('the hand-made profile', () => a.snapshot().profiles.get('by-hand'));
      assert.deepEqual(profile, {
        id: 'by-hand',
        name: 'by hand',
        boot: { kernel: '/k', initrd: ['/i'], args: ['a=b'] },
        ignition_id: 'x.ign',
        generic_id: '',
        cloud_id: '',
      });
    });

    it('prints the useful columns in kubectl get', async () => {
      await a.putGroup(aGroup({ id: 'printed', profile: 'worker', selector: { mac: '52:54:00:00:00:01' } }));
      const result = await cluster.kubectl(['get', MACHINE_GROUP.plural, 'printed', '-n', namespace]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /NAME\s+PROFILE\s+SELECTOR\s+AGE/);
      assert.match(result.stdout, /printed\s+worker\s+\{"mac":"52:54:00:00:00:01"\}/);
    });
  });

  it('the write API over the Kubernetes store: a write through one replica is read from the other; Kubernetes refusals name the field', async () => {
    const credentials = await writeApiCredentials();
    const api = await startWriteApi({ address: '127.0.0.1:0', store: a, tls: credentials.serverTls });
    const client = new BootApiClient(credentials.endpoint(api.url));
    try {
      await client.putProfile(aProfile({ id: 'through-api' }));
      assert.deepEqual(
        await client.getProfile('through-api'),
        aProfile({ id: 'through-api' }),
        'read back at once through the same replica',
      );
      await waitFor('the other replica to see the write', () => b.snapshot().profiles.get('through-api'));
      await assert.rejects(client.putGroup(aGroup({ id: 'Upper' })), (error: unknown) => {
        assert.ok(error instanceof BootApiError, String(error));
        assert.equal(error.status, 400);
        assert.equal(error.field, 'id');
        assert.match(error.message, /cannot be stored in Kubernetes/);
        return true;
      });
      // Over the limit of 256 arguments, which the write API's schema and the CRD share (both come from model.ts).
      const tooManyArgs: Profile = {
        ...aProfile({ id: 'too-many-args' }),
        boot: { kernel: '/k', initrd: [], args: Array.from({ length: 257 }, (_, index) => `a${index}`) },
      };
      await assert.rejects(client.putProfile(tooManyArgs), (error: unknown) => {
        assert.ok(error instanceof BootApiError, String(error));
        assert.equal(error.status, 400);
        assert.equal(error.field, 'boot.args');
        return true;
      });
      // Past the write API (the store itself does not parse), the API server refuses it too: its 422 becomes an
      // InvalidWriteError naming the field, which the write API would answer with a 400.
      await assert.rejects(a.putProfile(tooManyArgs), (error: unknown) => {
        assert.ok(error instanceof InvalidWriteError, String(error));
        assert.equal(error.field, 'boot.args');
        assert.match(error.message, /spec\.boot\.args: Too many/);
        return true;
      });
    } finally {
      client.close();
      await api.close();
    }
  });

  it('works with only the boot server Role, and fails to start, naming the cause, without it', async () => {
    const objects = KubernetesObjectApi.makeApiClient(admin);
    const user = uniqueName('boot-server');
    const unprivileged = await cluster.userKubeConfig(user);
    await assert.rejects(KubernetesBootStore.start({ kubeConfig: unprivileged, namespace }), (error: unknown) => {
      assert.ok(error instanceof KubernetesStoreError, String(error));
      assert.match(error.message, new RegExp(`cannot watch the boot store in namespace ${namespace}: .*403`));
      return true;
    });

    await objects.create(bootServerRole(namespace, user));
    await objects.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: user, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: user },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
    });
    const store = await waitFor('the Role to take effect', () =>
      KubernetesBootStore.start({ kubeConfig: unprivileged, namespace }).catch(() => undefined),
    );
    try {
      await store.putProfile(aProfile({ id: 'least-privilege' }));
      await store.putTemplate('generic', 'least.sh', 'x');
      assert.equal(await store.deleteTemplate('generic', 'least.sh'), true);
      assert.equal(await store.deleteProfile('least-privilege'), true);
    } finally {
      await store.close();
    }
  });

  it('starts with an empty snapshot in a namespace that holds nothing (not an error: nothing is registered yet)', async () => {
    const store = await KubernetesBootStore.start({ kubeConfig: admin, namespace: uniqueName('empty') });
    try {
      assert.deepEqual(view(store.snapshot()), {
        profiles: [],
        groups: [],
        templates: { ignition: [], generic: [], cloud: [] },
      });
    } finally {
      await store.close();
    }
  });
});
