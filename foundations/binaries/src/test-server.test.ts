import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RELEASES, TEST_SERVER_SOURCE_SHA256, TEST_SERVER_VERSION } from './components.ts';

/** Every file of the test server's module, by name, in name order: what its build compiles. */
async function sourceDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const name of (await readdir(dir)).sort()) {
    hash.update(`${name}\0`);
    hash.update(await readFile(join(dir, name)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

describe('the test server', () => {
  it('has a new version whenever its source changes, so that no cached build of older source is served under it', async () => {
    const digest = await sourceDigest(RELEASES['test-server'].wrapperModuleDir);
    assert.equal(
      digest,
      TEST_SERVER_SOURCE_SHA256,
      `go/test-server changed: raise TEST_SERVER_VERSION (now ${TEST_SERVER_VERSION}) and set TEST_SERVER_SOURCE_SHA256 to ${digest}`,
    );
  });
});
