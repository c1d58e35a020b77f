import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig, RequestContext, HttpMethod } from '@kubernetes/client-node';
import { PooledKubeConfig } from './pooled-kube-config.ts';

/** A kubeconfig with client-certificate credentials; no server is contacted by applySecurityAuthentication. */
function withCredentials<T extends KubeConfig>(config: T, certData = 'Y2VydA=='): T {
  config.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', caData: 'Y2E=', skipTLSVerify: false }],
    users: [{ name: 'u', certData, keyData: 'a2V5' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return config;
}

async function dispatcherOf(config: KubeConfig): Promise<unknown> {
  const context = new RequestContext('https://127.0.0.1:6443/api/v1/namespaces', HttpMethod.GET);
  await config.applySecurityAuthentication(context);
  return context.getDispatcher();
}

describe('a KubeConfig whose API clients share their connections', () => {
  it('gives every request of the same server and credentials one connection pool', async () => {
    const config = withCredentials(new PooledKubeConfig());
    const first = await dispatcherOf(config);
    assert.notEqual(first, undefined);
    assert.equal(await dispatcherOf(config), first);
    assert.equal(await dispatcherOf(config), first);
  });

  it('is needed: client-node alone makes a new pool, so a new TLS connection, for every request', async () => {
    const config = withCredentials(new KubeConfig());
    assert.notEqual(await dispatcherOf(config), await dispatcherOf(config));
  });

  it('starts another pool when the credentials change (a rotated certificate)', async () => {
    const config = withCredentials(new PooledKubeConfig());
    const before = await dispatcherOf(config);
    withCredentials(config, 'cm90YXRlZA==');
    const after = await dispatcherOf(config);
    assert.notEqual(after, before);
    assert.equal(await dispatcherOf(config), after);
  });
});
