import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCommand } from '@strata/host';
import { MINIO_VERSION } from './components.ts';
import { resolveBinary } from './resolve.ts';

describe('MinIO', () => {
  it('resolves the pinned MinIO server (from the cache, else built from go/minio), stamped with its release', async () => {
    const minio = await resolveBinary('minio', { progress: () => undefined });
    const { stdout } = await runCommand(minio, ['--version']);
    assert.match(stdout, new RegExp(`^minio version ${MINIO_VERSION} \\(commit-id=7aac2a2c5b7c\\)$`, 'm'));
  });
});
