import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { copyFileAtomic, SECRET_FILE_MODE, writeFileAtomic } from './atomic-write.ts';

describe('copyFileAtomic', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-atomic-copy-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('copies a file of many chunks byte for byte, with the mode asked, over what was there', async () => {
    const source = join(dir, 'source');
    // Several of the read stream's 64 KiB chunks, and not a whole number of them.
    const bytes = randomBytes(5 * 65_536 + 123);
    await writeFile(source, bytes);
    const target = join(dir, 'sub', 'target');
    await writeFileAtomic(target, 'old');
    await copyFileAtomic(source, target, SECRET_FILE_MODE);
    assert.deepEqual(await readFile(target), bytes);
    assert.equal((await stat(target)).mode & 0o777, SECRET_FILE_MODE);
    assert.deepEqual(await readdir(join(dir, 'sub')), ['target'], 'no temporary file left');
  });

  it('leaves the target as it was, and no temporary file, when the source cannot be read', async () => {
    const target = join(dir, 'kept');
    await writeFileAtomic(target, 'kept');
    await assert.rejects(copyFileAtomic(join(dir, 'missing'), target), { code: 'ENOENT' });
    assert.equal(await readFile(target, 'utf8'), 'kept');
    assert.deepEqual(
      (await readdir(dir)).filter((name) => name.includes('kept')),
      ['kept'],
    );
  });
});
