import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookupIn } from './expansion.ts';
import { container } from './test-fixtures.ts';
import {
  containerMounts,
  pathRewriter,
  volumeEnv,
  volumeEnvName,
  VolumeMountError,
  type ContainerMount,
} from './volume-mounts.ts';

const mount = (name: string, mountPath: string, path: string): ContainerMount => ({ name, mountPath, path });

describe('volume mounts of a process', () => {
  it('names each mount STRATA_VOLUME_<NAME> in upper snake case', () => {
    assert.equal(volumeEnvName('kube-api-access-x7k2p'), 'STRATA_VOLUME_KUBE_API_ACCESS_X7K2P');
    assert.equal(volumeEnvName('etcd.data'), 'STRATA_VOLUME_ETCD_DATA');
    const env = volumeEnv([mount('data', '/var/lib/etcd', '/s/data'), mount('data', '/backup', '/s/data/backup')]);
    assert.deepEqual(Object.fromEntries(env), { STRATA_VOLUME_DATA: '/s/data' });
  });

  it('rewrites a mount path wherever it is a whole path prefix, longest mount first', () => {
    const rewrite = pathRewriter([
      mount('data', '/var/lib/etcd', '/s/data'),
      mount('tls', '/etc/etcd/tls/', '/s/tls'),
      mount('config', '/etc/etcd', '/s/config'),
    ]);
    assert.equal(rewrite('--data-dir=/var/lib/etcd'), '--data-dir=/s/data');
    assert.equal(rewrite('/var/lib/etcd/member/snap'), '/s/data/member/snap');
    assert.equal(rewrite('--cert-file=/etc/etcd/tls/server.crt'), '--cert-file=/s/tls/server.crt');
    assert.equal(rewrite('--config-file=/etc/etcd/etcd.yaml'), '--config-file=/s/config/etcd.yaml');
    assert.equal(rewrite('a=/var/lib/etcd,b=/etc/etcd/x'), 'a=/s/data,b=/s/config/x');
    assert.equal(rewrite('cat "/var/lib/etcd/x" /etc/etcd'), 'cat "/s/data/x" /s/config');
  });

  it('leaves look-alike paths alone', () => {
    const rewrite = pathRewriter([mount('data', '/var/lib/etcd', '/s/data')]);
    for (const value of ['/var/lib/etcd2', '/var/lib/etcd.bak', '/opt/var/lib/etcd', 'etcd', '/var/lib']) {
      assert.equal(rewrite(value), value);
    }
  });

  it('never rewrites a replaced path again, and ignores a mount at /', () => {
    const rewrite = pathRewriter([mount('a', '/a', '/b'), mount('b', '/b', '/c'), mount('root', '/', '/s/root')]);
    assert.equal(rewrite('/a /b /x'), '/b /c /x');
  });

  describe('containerMounts', () => {
    let dir = '';
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'strata-mounts-'));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('resolves subPath and subPathExpr inside the volume and creates them', async () => {
      const mounts = await containerMounts(
        container({
          volumeMounts: [
            { name: 'data', mountPath: '/var/lib/etcd' },
            { name: 'data', mountPath: '/logs', subPath: 'logs/app' },
            { name: 'data', mountPath: '/mine', subPathExpr: '$(POD_NAME)' },
          ],
        }),
        (name) => (name === 'data' ? dir : undefined),
        lookupIn(new Map([['POD_NAME', 'etcd-0']])),
      );
      assert.deepEqual(
        mounts.map((each) => each.path),
        [dir, join(dir, 'logs/app'), join(dir, 'etcd-0')],
      );
      assert.ok((await stat(join(dir, 'logs/app'))).isDirectory());
    });

    it('refuses a mount of an unknown volume or a subPath that leaves the volume', async () => {
      const volumeDir = (name: string): string | undefined => (name === 'data' ? dir : undefined);
      const none = lookupIn();
      await assert.rejects(
        containerMounts(container({ volumeMounts: [{ name: 'nope', mountPath: '/x' }] }), volumeDir, none),
        VolumeMountError,
      );
      await assert.rejects(
        containerMounts(
          container({ volumeMounts: [{ name: 'data', mountPath: '/x', subPath: '../escape' }] }),
          volumeDir,
          none,
        ),
        /leaves the volume/,
      );
    });
  });
});
