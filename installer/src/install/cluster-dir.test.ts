import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBackendUrl, InstallDirectory } from './cluster-dir.ts';
import { EXIT, InstallError } from './errors.ts';

describe('the cluster directory', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('accepts the backends Pulumi knows and passes them as given', () => {
    for (const url of [
      'file:///var/lib/strata',
      's3://bucket/prefix?region=eu-west-1',
      'gs://bucket',
      'azblob://container',
      'https://api.pulumi.com',
    ])
      assert.equal(checkBackendUrl(url), url);
  });

  it('refuses other backends, and credentials in the URL, as bad usage (exit 2)', () => {
    for (const url of ['ftp://host/x', 'not a url', 's3://', 'https://user:secret@api.pulumi.com']) {
      assert.throws(
        () => checkBackendUrl(url),
        (error: unknown) =>
          error instanceof InstallError && error.exitCode === EXIT.usage && !error.message.includes('secret'),
        url,
      );
    }
  });

  it('refuses a directory made for another cluster or platform (exit 3)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'strata-dir-'));
    dirs.push(root);
    const directory = new InstallDirectory(join(root, 'c'));
    await directory.claim('demo', 'local', undefined);
    await assert.rejects(
      directory.claim('other', 'local', undefined),
      (error: unknown) => error instanceof InstallError && error.exitCode === EXIT.config,
    );
    await assert.rejects(
      directory.claim('demo', 'aws', undefined),
      (error: unknown) => error instanceof InstallError && error.exitCode === EXIT.config,
    );
    assert.equal((await directory.claim('demo', 'local', undefined)).cluster, 'demo');
  });

  it('keeps the passphrase private (0600) and the same across runs', async () => {
    const root = await mkdtemp(join(tmpdir(), 'strata-dir-'));
    dirs.push(root);
    const directory = new InstallDirectory(root);
    const first = await directory.passphrase();
    assert.equal(await directory.passphrase(), first);
    assert.equal((await stat(join(root, 'state', 'passphrase'))).mode & 0o777, 0o600);
  });
});
