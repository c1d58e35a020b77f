// The rotate command's refusals through the real CLI, on cluster directories
// as `strata install` leaves them; nothing here needs a running cluster.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ASSET_PATHS, loadClusterConfig, type Platform } from '@strata/assets';
import { withTestSysextPin } from '@strata/assets/testing';
import { InstallDirectory } from '../install/cluster-dir.ts';
import { runStrata } from '../testing/run-strata.ts';

const example = (platform: Platform) => fileURLToPath(new URL(`../../../examples/${platform}.yaml`, import.meta.url));

/** A directory claimed for the example cluster of `platform` (its download pinned), its config copied in, as install's first phase leaves it. */
async function installedDirectory(root: string, platform: Platform): Promise<InstallDirectory> {
  const pinned = join(root, `${platform}.yaml`);
  await writeFile(pinned, withTestSysextPin(await readFile(example(platform), 'utf8')));
  const config = await loadClusterConfig(pinned);
  const directory = new InstallDirectory(join(root, platform));
  await directory.claim(config.name, platform, undefined);
  await directory.copyConfig(pinned);
  return directory;
}

describe('strata rotate encryption-key refuses what it cannot rotate', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'strata-rotate-cli-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  // One cloud through the CLI (each run costs seconds); platform.test.ts has every cloud's message.
  for (const platform of ['gcp'] as const) {
    it(`a ${platform} cluster: exit 1, naming what is missing, nothing rendered`, async () => {
      const directory = await installedDirectory(root, platform);
      const result = await runStrata(['rotate', 'encryption-key', '--dir', directory.path]);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, new RegExp(`rotating the encryption key of a ${platform} cluster is not built`));
      assert.match(result.stderr, /SSH address/);
      await assert.rejects(readFile(join(directory.assetsDir, ASSET_PATHS.encryptionConfig)), { code: 'ENOENT' });
    });
  }

  it('a bare-metal cluster without an SSH identity: exit 1, naming the file tried, nothing rendered', async () => {
    const directory = await installedDirectory(root, 'bare-metal');
    const missing = join(root, 'no-such-key');
    const result = await runStrata(['rotate', 'encryption-key', '--dir', directory.path, '--ssh-identity', missing]);
    assert.equal(result.code, 1, result.stderr);
    assert.ok(
      result.stderr.includes(`no readable SSH identity to deliver the controllers' secrets with (tried ${missing})`),
      result.stderr,
    );
    await assert.rejects(readFile(join(directory.assetsDir, ASSET_PATHS.encryptionConfig)), { code: 'ENOENT' });
  });
});
