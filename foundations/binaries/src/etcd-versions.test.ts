import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '@strata/host';
import { ETCD_VERSION, ETCD_VERSIONS } from './components.ts';
import { UnknownEtcdVersionError } from './errors.ts';
import { resolveBinary, resolveEtcd } from './resolve.ts';

const quiet = (): undefined => undefined;

describe('etcd versions', () => {
  for (const version of ETCD_VERSIONS) {
    it(`resolves etcd, etcdctl and etcdutl ${version} (from the cache, else built from its wrapper module)`, async () => {
      const { etcd, etcdctl, etcdutl } = await resolveEtcd(version, { progress: quiet });
      const bare = version.replace(/^v/, '');
      const server = await runCommand(etcd, ['--version']);
      assert.match(server.stdout, new RegExp(`^etcd Version: ${bare.replaceAll('.', '\\.')}$`, 'm'));
      const client = await runCommand(etcdctl, ['version']);
      assert.match(client.stdout, new RegExp(`^etcdctl version: ${bare.replaceAll('.', '\\.')}$`, 'm'));
      // 3.6's etcdctl has no `snapshot restore`: etcdutl restores a snapshot into a new member's data directory.
      const offline = await runCommand(etcdutl, ['version']);
      assert.match(offline.stdout, new RegExp(`^etcdutl version: ${bare.replaceAll('.', '\\.')}$`, 'm'));
      const help = await runCommand(etcdutl, ['snapshot', 'restore', '--help']);
      assert.match(help.stdout, /--initial-cluster-token/);
    });
  }

  it('keeps each version apart in the cache', async () => {
    const paths = await Promise.all(ETCD_VERSIONS.map(async (version) => (await resolveEtcd(version)).etcd));
    assert.equal(new Set(paths).size, ETCD_VERSIONS.length);
    // The default etcd is the pinned one.
    assert.equal(await resolveBinary('etcd', { progress: quiet }), (await resolveEtcd(ETCD_VERSION)).etcd);
  });

  it('takes a non-pinned release from its subdirectory of STRATA_BIN_DIR, after checking its version', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-etcd-bin-'));
    try {
      const older = await resolveEtcd('v3.5.36', { progress: quiet });
      const pinned = await resolveEtcd(ETCD_VERSION, { progress: quiet });
      const home = join(dir, 'etcd-v3.5.36');
      await mkdir(home);
      await symlink(older.etcd, join(home, 'etcd'));
      await symlink(older.etcdctl, join(home, 'etcdctl'));
      await symlink(older.etcdutl, join(home, 'etcdutl'));
      const env = { ...process.env, STRATA_BIN_DIR: dir };
      assert.deepEqual(await resolveEtcd('v3.5.36', { env }), {
        etcd: join(home, 'etcd'),
        etcdctl: join(home, 'etcdctl'),
        etcdutl: join(home, 'etcdutl'),
      });
      await rm(join(home, 'etcd'));
      await symlink(pinned.etcd, join(home, 'etcd'));
      await assert.rejects(
        resolveEtcd('v3.5.36', { env }),
        /is not etcd v3\.5\.36; `etcd --version` printed: etcd Version: 3\.6\.16/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a version it does not build, naming those it does', async () => {
    await assert.rejects(resolveEtcd('v3.4.37', { progress: quiet }), (error: unknown) => {
      assert.ok(error instanceof UnknownEtcdVersionError, String(error));
      assert.match(
        error.message,
        /etcd v3\.4\.37 is not one of the etcd releases Strata builds \(v3\.5\.36, v3\.6\.15, v3\.6\.16\)/,
      );
      return true;
    });
  });
});
