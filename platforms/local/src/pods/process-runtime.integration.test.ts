import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AuthenticationV1Api,
  CoreV1Api,
  KubeConfig,
  type V1ConfigMap,
  type V1Pod,
  type V1Secret,
} from '@kubernetes/client-node';
import { ETCD_VERSION, resolveAllBinaries, resolveBinary } from '@strata/binaries';
import { sharedControlPlane, uniqueName, waitFor } from '@strata/harness';
import type { NodeContext } from '../node/pod-runtime.ts';
import { hostPathOnNode, LOCAL_VOLUME_ROOT } from '../storage/local-volumes.ts';
import { defaultImageMap } from './image-map.ts';
import { ProcessPodRuntime } from './process-runtime.ts';
import {
  alive,
  container,
  containerPid,
  pod,
  privateAddressPool,
  processGroupMembers,
  script,
  SHELL,
  StatusRecorder,
  testNode,
  type TestNode,
} from './test-fixtures.ts';

const ETCD_IMAGE = `registry.k8s.io/etcd:${ETCD_VERSION.replace(/^v/, '')}-0`;

interface JwtClaims {
  readonly aud: readonly string[];
  readonly exp: number;
  readonly iat: number;
  readonly 'kubernetes.io': {
    readonly namespace: string;
    readonly pod: { readonly name: string; readonly uid: string };
  };
}

function jwtClaims(token: string): JwtClaims {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as JwtClaims;
}

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

describe('ProcessPodRuntime against a real API server', () => {
  const namespace = uniqueName('process-pods');
  const nodeName = uniqueName('node');
  let admin: CoreV1Api;
  let server = '';
  let caPem = '';
  let node: TestNode;
  let context: NodeContext;
  let runtime: ProcessPodRuntime;

  before(async () => {
    const cluster = await sharedControlPlane();
    const adminConfig = cluster.adminKubeConfig();
    admin = adminConfig.makeApiClient(CoreV1Api);
    server = cluster.server;
    caPem = Buffer.from(adminConfig.getCurrentCluster()?.caData ?? '', 'base64').toString('utf8');
    if (caPem === '') caPem = await readFile(adminConfig.getCurrentCluster()?.caFile ?? '', 'utf8');
    await admin.createNamespace({ body: { metadata: { name: namespace } } });
    // What the controller-manager would provide, which the harness does not run.
    await admin.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'default' } } });
    await admin.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': caPem } },
    });

    node = await testNode({
      nodeName,
      kubeConfig: await cluster.userKubeConfig(`system:node:${nodeName}`, ['system:nodes']),
    });
    context = node.context;
    const binaries = { ...(await resolveAllBinaries()), etcdutl: await resolveBinary('etcdutl') };
    // The shell stands in for an image whose program ignores SIGTERM.
    const images = defaultImageMap(new Map([[ETCD_VERSION, binaries]])).with({
      'strata.test/shell': { command: [SHELL] },
    });
    runtime = new ProcessPodRuntime({ images, addresses: privateAddressPool() });
  });

  after(async () => {
    await runtime.stopAll(0);
    await node.remove();
  });

  /** Creates the pod bound to our node, as the scheduler would, and starts it as the node would. */
  async function schedule(spec: V1Pod): Promise<{ created: V1Pod; recorder: StatusRecorder }> {
    const created = await admin.createNamespacedPod({
      namespace,
      body: {
        ...spec,
        metadata: { ...spec.metadata, namespace, uid: undefined },
        spec: { containers: [], ...spec.spec, nodeName },
      },
    });
    const recorder = new StatusRecorder();
    assert.ok(runtime.handles(created));
    await runtime.start(created, context, recorder.report);
    return { created, recorder };
  }

  const volumeDir = (created: V1Pod, volume: string): string =>
    join(context.stateDir, 'pods', created.metadata?.uid ?? '', 'volumes', volume);

  it('materializes configMap, secret, downward API and projected token volumes with the node’s credentials', async () => {
    const configMap: V1ConfigMap = {
      metadata: { name: 'app-config' },
      data: { 'app.yaml': 'listen: 2379\n', other: 'x' },
      binaryData: { blob: Buffer.from([0, 1, 2, 255]).toString('base64') },
    };
    const secret: V1Secret = {
      metadata: { name: 'app-secret' },
      data: { password: Buffer.from('s3cret').toString('base64'), user: Buffer.from('root').toString('base64') },
    };
    await admin.createNamespacedConfigMap({ namespace, body: configMap });
    await admin.createNamespacedSecret({ namespace, body: secret });

    const { created, recorder } = await schedule(
      pod({
        metadata: { name: 'volumes', labels: { app: 'demo', tier: 'db' }, annotations: { note: 'say "hi"' } },
        spec: {
          volumes: [
            {
              name: 'config',
              configMap: { name: 'app-config', items: [{ key: 'app.yaml', path: 'conf/app.yaml', mode: 0o640 }] },
            },
            { name: 'config-all', configMap: { name: 'app-config' } },
            {
              name: 'secret',
              secret: {
                secretName: 'app-secret',
                items: [
                  { key: 'password', path: 'password' },
                  { key: 'user', path: 'user', mode: 0o400 },
                ],
              },
            },
            {
              name: 'podinfo',
              downwardAPI: {
                items: [
                  { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
                  { path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } },
                  { path: 'uid', fieldRef: { fieldPath: 'metadata.uid' } },
                  { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
                  { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
                ],
              },
            },
            {
              name: 'bound',
              projected: {
                defaultMode: 0o440,
                sources: [
                  { serviceAccountToken: { audience: 'strata-test', expirationSeconds: 900, path: 'token' } },
                  { configMap: { name: 'app-config', items: [{ key: 'other', path: 'other' }] } },
                  { secret: { name: 'app-secret', items: [{ key: 'user', path: 'user' }] } },
                  { downwardAPI: { items: [{ path: 'pod-name', fieldRef: { fieldPath: 'metadata.name' } }] } },
                ],
              },
            },
            { name: 'out', emptyDir: {} },
          ],
          containers: [
            script('cp /etc/app/conf/app.yaml /out/copy.yaml; sleep 600', {
              image: 'strata.test/shell:latest',
              volumeMounts: [
                { name: 'config', mountPath: '/etc/app' },
                { name: 'out', mountPath: '/out' },
              ],
            }),
          ],
        },
      }),
    );
    const running = await recorder.until('Running', (status) => status.phase === 'Running' && status.ready, 30_000);
    assert.ok(running.podIP?.startsWith('127.0.'));
    const uid = created.metadata?.uid ?? '';

    const config = volumeDir(created, 'config');
    assert.equal(await readFile(join(config, 'conf/app.yaml'), 'utf8'), 'listen: 2379\n');
    assert.equal(await modeOf(join(config, 'conf/app.yaml')), 0o640);
    const all = volumeDir(created, 'config-all');
    assert.equal(await readFile(join(all, 'other'), 'utf8'), 'x');
    assert.deepEqual([...(await readFile(join(all, 'blob')))], [0, 1, 2, 255]);
    assert.equal(await modeOf(join(all, 'app.yaml')), 0o644);

    const secrets = volumeDir(created, 'secret');
    assert.equal(await readFile(join(secrets, 'password'), 'utf8'), 's3cret');
    assert.equal(await modeOf(join(secrets, 'password')), 0o600, 'the default 0644 loses its group and other bits');
    assert.equal(await modeOf(join(secrets, 'user')), 0o400);

    const podinfo = volumeDir(created, 'podinfo');
    assert.equal(await readFile(join(podinfo, 'name'), 'utf8'), 'volumes');
    assert.equal(await readFile(join(podinfo, 'namespace'), 'utf8'), namespace);
    assert.equal(await readFile(join(podinfo, 'uid'), 'utf8'), uid);
    assert.equal(await readFile(join(podinfo, 'labels'), 'utf8'), 'app="demo"\ntier="db"');
    assert.equal(await readFile(join(podinfo, 'annotations'), 'utf8'), 'note="say \\"hi\\""');

    const bound = volumeDir(created, 'bound');
    const token = await readFile(join(bound, 'token'), 'utf8');
    const claims = jwtClaims(token);
    assert.deepEqual(claims.aud, ['strata-test']);
    assert.equal(claims.exp - claims.iat, 900);
    assert.deepEqual(claims['kubernetes.io'].pod, { name: 'volumes', uid });
    assert.equal(await modeOf(join(bound, 'token')), 0o400, 'a token keeps only the owner bits of defaultMode');
    assert.equal(await readFile(join(bound, 'other'), 'utf8'), 'x');
    assert.equal(await modeOf(join(bound, 'other')), 0o440);
    assert.equal(await readFile(join(bound, 'user'), 'utf8'), 'root');
    assert.equal(await modeOf(join(bound, 'user')), 0o400);
    assert.equal(await readFile(join(bound, 'pod-name'), 'utf8'), 'volumes');

    // The container found its config file through the rewritten mount path.
    const copy = await waitFor('the copied config', () =>
      readFile(join(volumeDir(created, 'out'), 'copy.yaml'), 'utf8').catch(() => undefined),
    );
    assert.equal(copy, 'listen: 2379\n');

    // The volume the API server's ServiceAccount admission added holds a token the API server accepts.
    const access = created.spec?.volumes?.find((volume) => volume.name.startsWith('kube-api-access-'))?.name ?? '';
    const apiToken = await readFile(join(volumeDir(created, access), 'token'), 'utf8');
    assert.equal(await readFile(join(volumeDir(created, access), 'ca.crt'), 'utf8'), caPem);
    assert.equal(await readFile(join(volumeDir(created, access), 'namespace'), 'utf8'), namespace);
    const asPod = new KubeConfig();
    asPod.loadFromOptions({
      clusters: [{ name: 'c', server, caData: Buffer.from(caPem).toString('base64') }],
      users: [{ name: 'pod', token: apiToken }],
      contexts: [{ name: 'c', cluster: 'c', user: 'pod' }],
      currentContext: 'c',
    });
    const review = await asPod.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    assert.equal(review.status?.userInfo?.username, `system:serviceaccount:${namespace}:default`);

    await runtime.stop(uid, 2);
  });

  it('waits for a config map that does not exist yet, and starts the pod once it does', async () => {
    const { created, recorder } = await schedule(
      pod({
        metadata: { name: 'waits' },
        spec: {
          automountServiceAccountToken: false,
          volumes: [{ name: 'late', configMap: { name: 'late-config' } }],
          containers: [
            script('sleep 600', {
              image: 'strata.test/shell:1',
              env: [{ name: 'LATE', valueFrom: { configMapKeyRef: { name: 'late-config', key: 'value' } } }],
            }),
          ],
        },
      }),
    );
    const pending = await recorder.until('a problem', (status) => status.message !== undefined);
    assert.equal(pending.phase, 'Pending');
    assert.equal(pending.message, `ConfigMap ${namespace}/late-config not found`);
    await admin.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'late-config' }, data: { value: 'here' } },
    });
    await recorder.until('Running', (status) => status.phase === 'Running', 30_000);
    assert.equal(await readFile(join(volumeDir(created, 'late'), 'value'), 'utf8'), 'here');
    await runtime.stop(created.metadata?.uid ?? '', 0);
  });

  it('mounts a claim once it is bound to a volume of this node, and refuses one pinned to another node', async () => {
    /** A local volume and its claim, bound as the kube-controller-manager (not run by the harness) would bind them. */
    const claimOn = async (claimName: string, onNode: string): Promise<string> => {
      const path = `${LOCAL_VOLUME_ROOT}/${uniqueName('volume')}`;
      const volumeName = uniqueName('pv');
      await admin.createPersistentVolume({
        body: {
          metadata: { name: volumeName },
          spec: {
            capacity: { storage: '1Gi' },
            accessModes: ['ReadWriteOnce'],
            storageClassName: 'manual',
            local: { path },
            nodeAffinity: {
              required: {
                nodeSelectorTerms: [
                  { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [onNode] }] },
                ],
              },
            },
            claimRef: { namespace, name: claimName },
          },
        },
      });
      await admin.createNamespacedPersistentVolumeClaim({
        namespace,
        body: {
          metadata: { name: claimName },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: 'manual',
            volumeName,
            resources: { requests: { storage: '1Gi' } },
          },
        },
      });
      return path;
    };
    const bind = async (claimName: string): Promise<void> => {
      const current = await admin.readNamespacedPersistentVolumeClaim({ name: claimName, namespace });
      await admin.replaceNamespacedPersistentVolumeClaimStatus({
        name: claimName,
        namespace,
        body: { ...current, status: { phase: 'Bound' } },
      });
    };
    const claimPod = (name: string, claimName: string): V1Pod =>
      pod({
        metadata: { name },
        spec: {
          automountServiceAccountToken: false,
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
          containers: [
            script('echo kept > /data/file && sleep 600', {
              image: 'strata.test/shell:1',
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            }),
          ],
        },
      });

    const path = await claimOn('here', nodeName);
    const directory = hostPathOnNode(context.stateDir, path);
    await mkdir(directory, { recursive: true });
    const { created, recorder } = await schedule(claimPod('claims-here', 'here'));
    const waiting = await recorder.until('a problem', (status) => status.message !== undefined);
    assert.equal(waiting.phase, 'Pending');
    assert.match(waiting.message ?? '', new RegExp(`PersistentVolumeClaim ${namespace}/here is not bound yet`));
    await bind('here');
    await recorder.until('Running', (status) => status.phase === 'Running', 30_000);
    await waitFor('the pod to write into the volume', () =>
      readFile(join(directory, 'file'), 'utf8').then(
        (text) => (text === 'kept\n' ? true : undefined),
        () => undefined,
      ),
    );
    await runtime.stop(created.metadata?.uid ?? '', 0);
    assert.equal(await readFile(join(directory, 'file'), 'utf8'), 'kept\n', 'stopping the pod leaves the volume');

    await claimOn('elsewhere', 'some-other-node');
    await bind('elsewhere');
    const refused = await schedule(claimPod('claims-elsewhere', 'elsewhere'));
    const failed = await refused.recorder.until('a problem', (status) => status.message !== undefined);
    assert.equal(failed.phase, 'Pending');
    assert.match(failed.message ?? '', /which is not pinned to node .* by kubernetes\.io\/hostname/);
    await runtime.stop(refused.created.metadata?.uid ?? '', 0);
  });

  it('runs an etcd pod that answers on its own pod IP and is made ready by its readiness probe', async () => {
    const { created, recorder } = await schedule(
      pod({
        metadata: { name: 'etcd-0' },
        spec: {
          automountServiceAccountToken: false,
          volumes: [{ name: 'data', emptyDir: {} }],
          containers: [
            container({
              name: 'etcd',
              image: ETCD_IMAGE,
              command: ['etcd'],
              args: [
                '--name=$(POD_NAME)',
                '--data-dir=/var/lib/etcd',
                '--listen-client-urls=http://$(POD_IP):2379',
                '--advertise-client-urls=http://$(POD_IP):2379',
                '--listen-peer-urls=http://$(POD_IP):2380',
                '--initial-advertise-peer-urls=http://$(POD_IP):2380',
                '--initial-cluster=$(POD_NAME)=http://$(POD_IP):2380',
                '--listen-metrics-urls=http://$(POD_IP):2381',
                '--unsafe-no-fsync=true',
              ],
              env: [
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              ],
              ports: [
                { name: 'client', containerPort: 2379 },
                { name: 'metrics', containerPort: 2381 },
              ],
              volumeMounts: [{ name: 'data', mountPath: '/var/lib/etcd' }],
              readinessProbe: { httpGet: { path: '/readyz', port: 'metrics' }, periodSeconds: 1, failureThreshold: 3 },
              livenessProbe: { httpGet: { path: '/livez', port: 2381 }, initialDelaySeconds: 10, periodSeconds: 5 },
            }),
          ],
        },
      }),
    );
    const ready = await recorder.until('etcd ready', (status) => status.ready, 30_000);
    const podIP = ready.podIP ?? '';
    assert.match(podIP, /^127\.0\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.\d+$/);
    assert.notEqual(podIP, '127.0.0.1');
    const etcd = ready.containerStatuses?.[0];
    assert.equal(etcd?.ready, true);
    assert.equal(etcd?.image, ETCD_IMAGE);

    const response = await fetch(`http://${podIP}:2379/health`);
    assert.equal(response.status, 200);
    assert.deepEqual(((await response.json()) as { health?: string }).health, 'true');
    // etcd wrote its data into the emptyDir, through the rewritten --data-dir.
    assert.ok((await stat(join(volumeDir(created, 'data'), 'member'))).isDirectory());

    const pid = containerPid(ready, 'etcd');
    await runtime.stop(created.metadata?.uid ?? '', 10);
    assert.ok(!alive(pid));
    await assert.rejects(fetch(`http://${podIP}:2379/health`, { signal: AbortSignal.timeout(2000) }));
  });

  it('on deletion sends SIGTERM, SIGKILLs what ignores it after the grace period, and leaves nothing running', async () => {
    const { created, recorder } = await schedule(
      pod({
        metadata: { name: 'stubborn' },
        spec: {
          terminationGracePeriodSeconds: 2,
          automountServiceAccountToken: false,
          containers: [
            script(`trap 'echo got SIGTERM; exit 0' TERM; sleep 600 & wait`, {
              name: 'polite',
              image: 'strata.test/shell:1',
            }),
            script(`trap "" TERM; sleep 600`, { name: 'stubborn', image: 'strata.test/shell:1' }),
          ],
        },
      }),
    );
    const running = await recorder.until('Running', (status) => status.phase === 'Running' && status.ready, 30_000);
    const pids = [containerPid(running, 'polite'), containerPid(running, 'stubborn')];
    await waitFor('both sleeps', () => (pids.every((pid) => processGroupMembers(pid).length === 2) ? true : undefined));

    // As a node does when it sees the deletion: stop with the grace period the deletion asked for.
    const name = created.metadata?.name ?? '';
    await admin.deleteNamespacedPod({ name, namespace });
    const deleting = await admin.readNamespacedPod({ name, namespace });
    assert.ok(deleting.metadata?.deletionTimestamp !== undefined);
    const grace = deleting.metadata.deletionGracePeriodSeconds ?? 30;
    assert.equal(grace, 2);

    const started = Date.now();
    await runtime.stop(created.metadata?.uid ?? '', grace);
    const took = Date.now() - started;
    assert.ok(took >= 2000 && took < 5000, `SIGKILL came at the end of the 2 s grace period (took ${took} ms)`);

    const logDir = join(context.stateDir, 'pods', `${namespace}_${name}_${created.metadata?.uid ?? ''}`);
    assert.match(await readFile(join(logDir, 'polite.log'), 'utf8'), /got SIGTERM/);
    for (const pid of pids) {
      assert.ok(!alive(pid), `container process ${pid} is gone`);
      assert.deepEqual(processGroupMembers(pid), [], `nothing of process group ${pid} is left`);
    }
    assert.deepEqual(runtime.podUids(), []);
    await admin.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
  });
});
