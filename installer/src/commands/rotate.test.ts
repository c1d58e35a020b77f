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
import { parseDocument } from 'yaml';
import { runCommand } from '@strata/host';
import { InstallDirectory } from '../install/cluster-dir.ts';
import { runStrata } from '../testing/run-strata.ts';

const example = (platform: Platform) => fileURLToPath(new URL(`../../../examples/${platform}.yaml`, import.meta.url));

/** A directory claimed for the example cluster of `platform` (its download pinned), its config copied in, as install's first phase leaves it. */
async function installedDirectory(root: string, platform: Platform, sshKey?: string): Promise<InstallDirectory> {
  const pinned = join(root, `${platform}.yaml`);
  const document = parseDocument(withTestSysextPin(await readFile(example(platform), 'utf8')));
  if (sshKey !== undefined) document.set('sshAuthorizedKeys', [sshKey]);
  await writeFile(pinned, document.toString());
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

  for (const platform of ['gcp', 'bare-metal'] as const) {
    it(`a ${platform} cluster without an SSH identity: exit 1, naming the file tried and the flag, nothing rendered`, async () => {
      const directory = await installedDirectory(root, platform);
      const missing = join(root, 'no-such-key');
      const result = await runStrata(['rotate', 'encryption-key', '--dir', directory.path, '--ssh-identity', missing]);
      assert.equal(result.code, 1, result.stderr);
      assert.ok(
        result.stderr.includes(`no readable SSH identity to deliver the controllers' secrets with (tried ${missing})`),
        result.stderr,
      );
      assert.match(result.stderr, /pass --ssh-identity <private key file>/);
      await assert.rejects(readFile(join(directory.assetsDir, ASSET_PATHS.encryptionConfig)), { code: 'ENOENT' });
    });
  }

  it('an aws cluster with a --ssh-jump that is not user@host[:port]: exit 1, naming the flag and the value', async () => {
    const directory = await installedDirectory(root, 'aws');
    const result = await runStrata([
      'rotate',
      'encryption-key',
      '--dir',
      directory.path,
      '--ssh-jump',
      'bastion;id',
      '--ssh-identity',
      join(root, 'no-such-key'),
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /--ssh-jump "bastion;id": not user@host\[:port\]/);
    await assert.rejects(readFile(join(directory.assetsDir, ASSET_PATHS.encryptionConfig)), { code: 'ENOENT' });
  });

  it('an azure cluster whose stack has no outputs yet: exit 1, saying it was never installed, nothing rendered', async () => {
    const identity = join(root, 'id_ed25519');
    const made = await runCommand('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identity]);
    assert.equal(made.code, 0, made.stderr);
    const directory = await installedDirectory(root, 'azure', (await readFile(`${identity}.pub`, 'utf8')).trim());
    const result = await runStrata(['rotate', 'encryption-key', '--dir', directory.path, '--ssh-identity', identity]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      new RegExp(`the azure stack of ${directory.path} has no outputs: the cluster was never installed`),
    );
    await assert.rejects(readFile(join(directory.assetsDir, ASSET_PATHS.encryptionConfig)), { code: 'ENOENT' });
  });
});
