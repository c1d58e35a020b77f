import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { runCommand } from '@strata/host';
import { BinariesUnavailableError } from './errors.ts';
import { MINIO_VERSION } from './components.ts';
import { resolveBinary } from './resolve.ts';

/** PATH without any directory that holds a `go` executable: a machine with no Go toolchain. */
function pathWithoutGo(): string {
  return (process.env['PATH'] ?? '')
    .split(delimiter)
    .filter((dir) => {
      try {
        accessSync(join(dir, 'go'), constants.X_OK);
        return false;
      } catch {
        return true;
      }
    })
    .join(delimiter);
}

describe('MinIO', () => {
  it('without Go, says that MinIO has no release download and names the two ways left', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'strata-minio-test-'));
    try {
      await assert.rejects(
        resolveBinary('minio', {
          env: { PATH: pathWithoutGo(), HOME: scratch },
          cacheRoot: scratch,
          progress: () => undefined,
        }),
        (error: unknown) => {
          assert.ok(error instanceof BinariesUnavailableError, String(error));
          assert.match(error.message, /download: minio publishes no release binaries with checksums/);
          assert.match(error.message, /Provide the binaries in one of two ways/);
          assert.doesNotMatch(error.message, /^ {2}3\. /m);
          return true;
        },
      );
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('resolves the pinned MinIO server (from the cache, else built from go/minio), stamped with its release', async () => {
    const minio = await resolveBinary('minio', { progress: () => undefined });
    const { stdout } = await runCommand(minio, ['--version']);
    assert.match(stdout, new RegExp(`^minio version ${MINIO_VERSION} \\(commit-id=7aac2a2c5b7c\\)$`, 'm'));
  });
});
