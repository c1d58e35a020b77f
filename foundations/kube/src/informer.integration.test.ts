import assert from 'node:assert/strict';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { sharedControlPlane, uniqueName, type HarnessCluster } from '@strata/harness';
import { Informer, type InformerChange, type InformerOptions, type InformerState } from './informer.ts';

const LABEL = 'strata.dev/informer-test';

/**
 * A TCP relay to the API server that the test can cut and restore, for real
 * connection failures without stopping the control plane other test files
 * share. While cut it closes every connection and accepts none.
 */
class Relay {
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #cut = false;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(target: URL): Promise<Relay> {
    const server = createServer();
    const relay = new Relay(server);
    server.on('connection', (client) => relay.#accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  get port(): number {
    const address = this.#server.address();
    assert.ok(address !== null && typeof address === 'object');
    return address.port;
  }

  cut(): void {
    this.#cut = true;
    for (const socket of this.#sockets) socket.destroy();
  }

  restore(): void {
    this.#cut = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket, target: URL): void {
    if (this.#cut) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => {
        // Either side ending resets the other: that is the fault this relay exists to cause.
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }
}

/** The admin's configuration, pointed at another port on the same address (the serving certificate names 127.0.0.1). */
function throughPort(kubeConfig: KubeConfig, port: number): KubeConfig {
  const cluster = kubeConfig.getCurrentCluster();
  assert.ok(cluster !== null);
  const server = new URL(cluster.server);
  server.port = String(port);
  const relayed = new KubeConfig();
  relayed.loadFromOptions({
    clusters: kubeConfig.clusters.map((entry) =>
      entry.name === cluster.name ? { ...entry, server: server.toString().replace(/\/$/, '') } : entry,
    ),
    users: kubeConfig.users,
    contexts: kubeConfig.contexts,
    currentContext: kubeConfig.currentContext,
  });
  return relayed;
}

type Seen = { readonly change: InformerChange; readonly name: string; readonly data: string | undefined };

/** An informer on the test's ConfigMaps with a record of everything it told, and a way to wait on that record. */
class Recorded {
  readonly informer: Informer<V1ConfigMap>;
  readonly changes: Seen[] = [];
  readonly states: InformerState[] = [];
  readonly errors: unknown[] = [];
  lists = 0;
  readonly #waiters = new Set<() => void>();

  constructor(options: Omit<InformerOptions<V1ConfigMap>, 'onChange' | 'onStateChange' | 'onError'>) {
    this.informer = new Informer<V1ConfigMap>({
      ...options,
      list: (selectors) => {
        this.lists += 1;
        return options.list(selectors);
      },
      onChange: (change, object) => {
        this.changes.push({ change, name: object.metadata?.name ?? '', data: object.data?.['value'] });
        this.#wake();
      },
      onStateChange: (state) => {
        this.states.push(state);
        this.#wake();
      },
      onError: (error) => {
        this.errors.push(error);
        this.#wake();
      },
    });
  }

  /** Waits, checking after everything the informer reports, until `check` holds. */
  until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new Error(
            `timed out waiting for ${what}; changes: ${JSON.stringify(this.changes)}; states: ${this.states.map((state) => state.phase).join(', ')}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(waiter);
      waiter();
    });
  }

  saw(change: InformerChange, name: string, data?: string): boolean {
    return this.changes.some(
      (seen) => seen.change === change && seen.name === name && (data === undefined || seen.data === data),
    );
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

describe('Informer against a real API server', () => {
  let cluster: HarnessCluster;
  let admin: KubeConfig;
  let core: CoreV1Api;
  let namespace: string;
  const informers: Informer<V1ConfigMap>[] = [];

  before(async () => {
    cluster = await sharedControlPlane();
    admin = cluster.adminKubeConfig();
    core = admin.makeApiClient(CoreV1Api);
    namespace = uniqueName('informer');
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  after(async () => {
    await Promise.all(informers.map((informer) => informer.stop()));
    await core.deleteNamespace({ name: namespace });
  });

  const path = (): string => `/api/v1/namespaces/${namespace}/configmaps`;
  const configMap = (name: string, value: string, labelled = true): V1ConfigMap => ({
    metadata: { name, namespace, ...(labelled ? { labels: { [LABEL]: 'yes' } } : {}) },
    data: { value },
  });
  const create = (name: string, value: string, labelled = true): Promise<V1ConfigMap> =>
    core.createNamespacedConfigMap({ namespace, body: configMap(name, value, labelled) });
  const recorded = (
    kubeConfig: KubeConfig,
    list?: InformerOptions<V1ConfigMap>['list'],
    backoff?: InformerOptions<V1ConfigMap>['backoff'],
  ): Recorded => {
    const kubeCore = kubeConfig.makeApiClient(CoreV1Api);
    const recorder = new Recorded({
      kubeConfig,
      path: path(),
      labelSelector: LABEL,
      list: list ?? ((selectors) => kubeCore.listNamespacedConfigMap({ namespace, ...selectors })),
      ...(backoff === undefined ? {} : { backoff }),
    });
    informers.push(recorder.informer);
    return recorder;
  };

  it('lists, then sees adds, updates and deletes of the selected objects only', async () => {
    await create('before', 'one');
    const seen = recorded(admin);
    assert.equal(await seen.informer.start(), true);
    assert.equal(seen.informer.state.phase, 'synced');
    assert.deepEqual(seen.changes, [{ change: 'add', name: 'before', data: 'one' }]);
    assert.equal(seen.informer.get('before', namespace)?.data?.['value'], 'one');

    await create('unselected', 'x', false);
    await create('added', 'two');
    await seen.until('the add', () => seen.saw('add', 'added'));
    // One watch delivers in resourceVersion order: the unselected one, written first, would have come first.
    assert.equal(seen.informer.get('unselected', namespace), undefined);
    assert.ok(!seen.changes.some((change) => change.name === 'unselected'));

    await core.patchNamespacedConfigMap({
      name: 'added',
      namespace,
      body: [{ op: 'replace', path: '/data/value', value: 'three' }],
    });
    await seen.until('the update', () => seen.saw('update', 'added', 'three'));
    assert.equal(seen.informer.get('added', namespace)?.data?.['value'], 'three');

    await core.deleteNamespacedConfigMap({ name: 'before', namespace });
    await seen.until('the delete', () => seen.saw('delete', 'before'));
    assert.equal(seen.informer.get('before', namespace), undefined);
    assert.deepEqual(
      seen.informer.list(namespace).map((object) => object.metadata?.name),
      ['added'],
    );
    assert.equal(seen.lists, 1);
    assert.deepEqual(seen.errors, []);
  });

  it('caches and hands on only the projection of each listed and watched object', { timeout: 60_000 }, async () => {
    const kubeCore = admin.makeApiClient(CoreV1Api);
    const bulky = (name: string, value: string): V1ConfigMap => ({
      ...configMap(name, value),
      data: { value, bulk: 'x'.repeat(1024) },
    });
    await kubeCore.createNamespacedConfigMap({ namespace, body: bulky('projected-listed', 'one') });
    const handed: V1ConfigMap[] = [];
    let threeHanded = (): void => undefined;
    const handedThree = new Promise<void>((resolve) => (threeHanded = resolve));
    const informer = new Informer<V1ConfigMap>({
      kubeConfig: admin,
      path: path(),
      labelSelector: LABEL,
      list: (selectors) => kubeCore.listNamespacedConfigMap({ namespace, ...selectors }),
      project: (object) => ({
        metadata: {
          name: object.metadata?.name ?? '',
          namespace: object.metadata?.namespace ?? '',
          resourceVersion: object.metadata?.resourceVersion ?? '',
        },
        data: { value: object.data?.['value'] ?? '' },
      }),
      onChange: (_change, object) => {
        // The namespace is shared with the other tests: only this test's objects count.
        if (!(object.metadata?.name ?? '').startsWith('projected-')) return;
        handed.push(object);
        if (handed.length === 3) threeHanded();
      },
      onError: (error) => assert.fail(`unexpected informer error: ${String(error)}`),
    });
    informers.push(informer);
    assert.equal(await informer.start(), true);
    await kubeCore.createNamespacedConfigMap({ namespace, body: bulky('projected-watched', 'two') });
    await kubeCore.deleteNamespacedConfigMap({ name: 'projected-listed', namespace });
    // The list's add, the watch's add and the watch's delete.
    await handedThree;
    const projected = (name: string, value: string, resourceVersion: string | undefined): V1ConfigMap => ({
      metadata: { name, namespace, resourceVersion: resourceVersion ?? '' },
      data: { value },
    });
    const watched = informer.get('projected-watched', namespace);
    assert.deepEqual(watched, projected('projected-watched', 'two', watched?.metadata?.resourceVersion));
    assert.equal(informer.get('projected-listed', namespace), undefined);
    assert.deepEqual(
      handed.map((object) => Object.keys(object.data ?? {})),
      [['value'], ['value'], ['value']],
    );
    assert.deepEqual(
      handed.map((object) => object.metadata?.name),
      ['projected-listed', 'projected-watched', 'projected-listed'],
    );
  });

  it('restarts with back-off while the connection is down, then catches up with what changed meanwhile', async () => {
    const relay = await Relay.start(new URL(cluster.server));
    after(() => relay.close());
    await create('doomed', 'one');
    const seen = recorded(throughPort(admin, relay.port), undefined, { baseDelayMs: 100, maxDelayMs: 400 });
    assert.equal(await seen.informer.start(), true);
    assert.equal(seen.informer.get('doomed', namespace)?.data?.['value'], 'one');

    relay.cut();
    // Through the relay nothing gets through; a watch failed, and so did two attempts after it.
    await seen.until(
      'three failures in a row',
      () => seen.informer.state.phase === 'restarting' && seen.informer.state.failures >= 3,
    );
    const delays = seen.states.flatMap((state) => (state.phase === 'restarting' ? [state.delayMs] : []));
    assert.deepEqual(delays.slice(0, 3), [100, 200, 400]);
    await core.deleteNamespacedConfigMap({ name: 'doomed', namespace });
    await create('born-offline', 'two');

    relay.restore();
    await seen.until(
      'the changes made while disconnected',
      () => seen.saw('delete', 'doomed') && seen.saw('add', 'born-offline'),
    );
    await seen.until('synced again', () => seen.informer.state.phase === 'synced');
    assert.equal(seen.informer.get('doomed', namespace), undefined);
    assert.equal(seen.informer.get('born-offline', namespace)?.data?.['value'], 'two');
    assert.ok(seen.errors.length >= 3);
  });

  it('hears nothing more once stopped', async () => {
    const stopped = recorded(admin);
    assert.equal(await stopped.informer.start(), true);
    await stopped.informer.stop();
    assert.equal(stopped.informer.state.phase, 'stopped');
    const changesAtStop = stopped.changes.length;
    const statesAtStop = stopped.states.length;

    await create('after-stop', 'one');
    // Another informer proves the change was there to be seen.
    const witness = recorded(admin);
    await witness.informer.start();
    await witness.until('the witness to see it', () => witness.saw('add', 'after-stop'));
    await core.deleteNamespacedConfigMap({ name: 'after-stop', namespace });
    await witness.until('the witness to see it go', () => witness.saw('delete', 'after-stop'));

    assert.equal(stopped.changes.length, changesAtStop);
    assert.equal(stopped.states.length, statesAtStop);
    assert.equal(stopped.informer.get('after-stop', namespace), undefined);
    assert.equal(stopped.lists, 1);
  });
});
