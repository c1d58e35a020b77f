import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileIfPresent } from './read-if-present.ts';

describe('readFileIfPresent', () => {
  it('gives the text of a file, undefined for a missing one, and throws for anything else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'read-if-present-'));
    try {
      await writeFile(join(dir, 'present'), 'text\n');
      assert.equal(await readFileIfPresent(join(dir, 'present')), 'text\n');
      assert.equal(await readFileIfPresent(join(dir, 'missing')), undefined);
      await assert.rejects(
        readFileIfPresent(dir),
        (error: unknown) => error instanceof Error && 'code' in error && error.code === 'EISDIR',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
