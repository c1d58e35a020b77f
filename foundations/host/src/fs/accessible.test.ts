import assert from 'node:assert/strict';
import { constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isAccessible } from './accessible.ts';

describe('isAccessible', () => {
  it('is true for a readable file, false for a missing one and for a mode the file lacks', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-accessible-'));
    try {
      const file = join(dir, 'plain');
      await writeFile(file, 'x', { mode: 0o644 });
      assert.equal(await isAccessible(file), true);
      assert.equal(await isAccessible(join(dir, 'absent')), false);
      assert.equal(await isAccessible(file, constants.X_OK), false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
