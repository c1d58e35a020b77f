import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfigLoadError, loadKubeConfig, podServiceAccountDir, SERVICE_ACCOUNT_DIR } from './kube-config.ts';

describe('loadKubeConfig', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kube-config-'));
    await writeFile(join(dir, 'token'), 'a-token');
    await writeFile(join(dir, 'ca.crt'), 'not checked here');
    await writeFile(join(dir, 'namespace'), 'strata-system\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('builds an in-cluster config from a service account directory anywhere', () => {
    const kubeConfig = loadKubeConfig({
      serviceAccountDir: dir,
      env: { KUBERNETES_SERVICE_HOST: '127.0.0.2', KUBERNETES_SERVICE_PORT: '6443' },
    });
    assert.equal(kubeConfig.getCurrentCluster()?.server, 'https://127.0.0.2:6443');
    assert.equal(kubeConfig.getCurrentCluster()?.caFile, join(dir, 'ca.crt'));
    assert.deepEqual(kubeConfig.getCurrentUser()?.authProvider, {
      name: 'tokenFile',
      config: { tokenFile: join(dir, 'token') },
    });
    assert.equal(kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace, 'strata-system');
  });

  it('brackets an IPv6 service host', () => {
    const kubeConfig = loadKubeConfig({
      serviceAccountDir: dir,
      env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
    });
    assert.equal(kubeConfig.getCurrentCluster()?.server, 'https://[fd00::1]:443');
  });

  it('says to pass --kubeconfig outside a cluster', () => {
    assert.throws(
      () => loadKubeConfig({ serviceAccountDir: dir, env: {} }),
      (error: unknown) => error instanceof KubeConfigLoadError && /--kubeconfig/.test(error.message),
    );
  });

  it('names the missing token file', () => {
    assert.throws(
      () =>
        loadKubeConfig({
          serviceAccountDir: join(dir, 'nope'),
          env: { KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: '1' },
        }),
      (error: unknown) => error instanceof KubeConfigLoadError && error.message.includes(join(dir, 'nope', 'token')),
    );
  });
});

describe('podServiceAccountDir', () => {
  it('finds the token in the volume directory the local platform announces, else the standard path', async () => {
    const root = await mkdtemp(join(tmpdir(), 'strata-sa-'));
    try {
      const volume = join(root, 'kube-api-access-x1');
      const other = join(root, 'config');
      await mkdir(volume);
      await mkdir(other);
      await writeFile(join(volume, 'token'), 'not a real token');
      await writeFile(join(volume, 'ca.crt'), 'not a real certificate');
      await writeFile(join(other, 'token'), 'a token without its CA');
      assert.equal(podServiceAccountDir({ STRATA_VOLUME_CONFIG: other, STRATA_VOLUME_SA: volume }), volume);
      assert.equal(podServiceAccountDir({ STRATA_VOLUME_CONFIG: other }), SERVICE_ACCOUNT_DIR);
      assert.equal(podServiceAccountDir({}), SERVICE_ACCOUNT_DIR);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
