import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { sharedControlPlane } from '../shared.ts';
import { uniqueName } from '../unique-name.ts';
import { neverDuring, WatchedIntervalError } from './never-during.ts';

const CONFIG_MAPS = '/api/v1/namespaces/default/configmaps';
const stepOf = (configMap: V1ConfigMap): string => configMap.data?.['step'] ?? '';

async function aConfigMap(
  kubeConfig: KubeConfig,
  step: string,
): Promise<{ name: string; core: CoreV1Api; setStep(step: string): Promise<unknown> }> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const name = uniqueName('watched');
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name }, data: { step } } });
  return {
    name,
    core,
    setStep: (next) =>
      core.replaceNamespacedConfigMap({
        name,
        namespace: 'default',
        body: { metadata: { name }, data: { step: next } },
      }),
  };
}

describe('neverDuring', () => {
  it('resolves with every state it saw when none was forbidden', async () => {
    const kubeConfig = (await sharedControlPlane()).adminKubeConfig();
    const object = await aConfigMap(kubeConfig, '1');
    const watched = neverDuring<V1ConfigMap>(kubeConfig, {
      what: 'step 3',
      path: CONFIG_MAPS,
      name: object.name,
      ms: 1_000,
      forbidden: (configMap) => (stepOf(configMap) === '3' ? 'step 3' : undefined),
    });
    await sleep(300);
    await object.setStep('2');
    const seen = await watched;
    assert.deepEqual(
      seen.map((event) => `${event.type}:${stepOf(event.object)}`),
      ['ADDED:1', 'MODIFIED:2'],
    );
  });

  it('fails as soon as a forbidden change happens within the interval', async () => {
    const kubeConfig = (await sharedControlPlane()).adminKubeConfig();
    const object = await aConfigMap(kubeConfig, '1');
    const started = Date.now();
    const failed = assert.rejects(
      neverDuring<V1ConfigMap>(kubeConfig, {
        what: 'step 2',
        path: CONFIG_MAPS,
        name: object.name,
        ms: 5_000,
        forbidden: (configMap) => (stepOf(configMap) === '2' ? 'it moved to step 2' : undefined),
      }),
      (error: unknown) =>
        error instanceof WatchedIntervalError &&
        /step 2 during the 5000 ms watched: it moved to step 2/.test(error.message),
    );
    await sleep(300);
    await object.setStep('2');
    await failed;
    assert.ok(Date.now() - started < 4_000, 'without waiting out the interval');
  });

  it('fails when the state is already forbidden as the watch starts', async () => {
    const kubeConfig = (await sharedControlPlane()).adminKubeConfig();
    const object = await aConfigMap(kubeConfig, 'bad');
    await assert.rejects(
      neverDuring<V1ConfigMap>(kubeConfig, {
        what: 'a bad step',
        path: CONFIG_MAPS,
        name: object.name,
        ms: 1_000,
        forbidden: (configMap) => (stepOf(configMap) === 'bad' ? 'bad' : undefined),
      }),
      WatchedIntervalError,
    );
  });

  it('fails when it cannot watch at all, rather than seeing nothing', async () => {
    const kubeConfig = (await sharedControlPlane()).adminKubeConfig();
    await assert.rejects(
      neverDuring(kubeConfig, {
        what: 'anything',
        path: '/api/v1/namespaces/default/no-such-resources',
        ms: 1_000,
        forbidden: () => undefined,
      }),
      (error: unknown) => error instanceof WatchedIntervalError && /ended before/.test(error.message),
    );
  });
});
