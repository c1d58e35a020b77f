import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';
import { Informer, InformerError, type InformerState } from './informer.ts';

/** A port on which nothing listens: every list and watch is refused by the kernel, as with an API server that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  await new Promise<void>((resolve, reject) =>
    server.close((error) => (error === undefined ? resolve() : reject(error))),
  );
  return address.port;
}

function kubeConfigFor(port: number): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'down', server: `https://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'nobody' }],
    contexts: [{ name: 'down', cluster: 'down', user: 'nobody' }],
    currentContext: 'down',
  });
  return kubeConfig;
}

const timeouts = (): number => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

describe('Informer without an API server', () => {
  it('reports each failed list with a doubling delay, keeps trying, and stops without a timer left', async (t) => {
    const kubeConfig = kubeConfigFor(await closedPort());
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const states: InformerState[] = [];
    const errors: [unknown, number | undefined][] = [];
    let lists = 0;
    let fourthError = (): void => undefined;
    const informer = new Informer<V1Node>({
      kubeConfig,
      path: '/api/v1/nodes',
      list: (selectors) => {
        lists += 1;
        return core.listNode(selectors);
      },
      backoff: { baseDelayMs: 20, maxDelayMs: 60 },
      onStateChange: (state) => states.push(state),
      onError: (error, retryInMs) => {
        errors.push([error, retryInMs]);
        if (errors.length === 4) fourthError();
      },
    });
    t.after(() => informer.stop());
    assert.equal(informer.state.phase, 'new');
    let synced: boolean | undefined;
    void informer.start().then((value) => (synced = value));
    await new Promise<void>((resolve) => {
      fourthError = resolve;
    });
    assert.equal(states[0]?.phase, 'starting');
    const restarts = states.filter((state) => state.phase === 'restarting');
    assert.deepEqual(
      restarts.slice(0, 4).map((state) => [state.delayMs, state.failures]),
      [
        [20, 1],
        [40, 2],
        [60, 3],
        [60, 4],
      ],
    );
    assert.deepEqual(
      errors.slice(0, 4).map(([, retryInMs]) => retryInMs),
      [20, 40, 60, 60],
    );
    // The failure is the client's own (connection refused), handed on as it came.
    const refused = errors[0]?.[0];
    assert.ok(refused instanceof Error && refused.cause instanceof Error && 'code' in refused.cause, String(refused));
    assert.equal(refused.cause.code, 'ECONNREFUSED');
    assert.ok(lists >= 4);
    assert.equal(informer.hasSynced, false);
    assert.equal(synced, undefined);

    // Now waiting out the fourth restart delay (60 ms): stop ends the wait and leaves no timer.
    await new Promise((resolve) => setImmediate(resolve));
    const before = timeouts();
    assert.ok(before >= 1);
    await informer.stop();
    assert.equal(informer.state.phase, 'stopped');
    assert.equal(states.at(-1)?.phase, 'stopped');
    assert.equal(synced, false);
    assert.equal(await informer.whenSynced(), false);
    assert.equal(timeouts(), before - 1);
    const listsAtStop = lists;
    const errorsAtStop = errors.length;
    // A restart that was due would have happened within 60 ms; give it ten times that.
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(lists, listsAtStop);
    assert.equal(errors.length, errorsAtStop);
  });

  it('reports a throwing change handler instead of dropping it', async (t) => {
    const kubeConfig = kubeConfigFor(await closedPort());
    const errors: unknown[] = [];
    const informer = new Informer<V1Node>({
      kubeConfig,
      path: '/api/v1/nodes',
      list: () =>
        Promise.resolve({
          metadata: { resourceVersion: '' },
          items: [{ metadata: { name: 'a', resourceVersion: '1' } }],
        }),
      onChange: () => {
        throw new Error('handler bug');
      },
      onError: (error) => errors.push(error),
    });
    t.after(() => informer.stop());
    assert.equal(await informer.start(), true);
    assert.deepEqual(
      informer.list().map((node) => node.metadata?.name),
      ['a'],
    );
    await informer.stop();
    const reported = errors.find((error) => error instanceof InformerError);
    assert.ok(reported instanceof InformerError);
    assert.match(String((reported.cause as Error).message), /handler bug/);
  });

  it('starts once, and a never-started informer stops at once', async () => {
    const kubeConfig = kubeConfigFor(await closedPort());
    const informer = new Informer<V1Node>({
      kubeConfig,
      path: '/api/v1/nodes',
      list: () => Promise.reject(new Error('unused')),
      onError: () => undefined,
    });
    await informer.stop();
    assert.equal(informer.state.phase, 'stopped');
    assert.equal(await informer.whenSynced(), false);
    assert.throws(() => void informer.start(), InformerError);
  });

  it('is synced, with its list, when it tells onStateChange so', async (t) => {
    const kubeConfig = kubeConfigFor(await closedPort());
    const seen: { hasSynced: boolean; names: string[] }[] = [];
    const informer: Informer<V1Node> = new Informer<V1Node>({
      kubeConfig,
      path: '/api/v1/nodes',
      list: () => Promise.resolve({ metadata: { resourceVersion: '7' }, items: [{ metadata: { name: 'worker-0' } }] }),
      onStateChange: (state) => {
        if (state.phase === 'synced')
          seen.push({
            hasSynced: informer.hasSynced,
            names: informer.list().map((node) => node.metadata?.name ?? ''),
          });
      },
      onError: () => undefined,
    });
    t.after(() => informer.stop());
    assert.equal(await informer.start(), true);
    assert.deepEqual(seen[0], { hasSynced: true, names: ['worker-0'] });
  });
});
