import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BinaryCache } from './cache.ts';
import { formatChecksumLine } from './checksum.ts';

const VERSION = 'v0.0.1-test';

/** A cache entry as install() leaves it: the binary and its recorded checksum, no stamp yet. */
async function cachedEntry(
  root: string,
  content: string,
): Promise<{ cache: BinaryCache; binary: string; dir: string }> {
  const cache = new BinaryCache(root);
  const dir = cache.entryDir('etcdctl', VERSION);
  await mkdir(dir, { recursive: true });
  const binary = join(dir, 'etcdctl');
  await writeFile(binary, content, { mode: 0o755 });
  const sha = createHash('sha256').update(content).digest('hex');
  await writeFile(join(dir, 'etcdctl.sha256'), formatChecksumLine(sha, 'etcdctl'));
  return { cache, binary, dir };
}

describe('BinaryCache verification stamp', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'strata-cache-stamp-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('stamps a binary once it hashed it, with the checksum it matched', async () => {
    const { cache, dir } = await cachedEntry(await mkdtemp(join(scratch, 'a-')), '#!/bin/sh\necho one\n');
    assert.deepEqual(await cache.lookup('etcdctl', VERSION), { state: 'valid', path: join(dir, 'etcdctl') });
    const stamp: unknown = JSON.parse(await readFile(join(dir, 'etcdctl.verified'), 'utf8'));
    assert.equal(
      (stamp as { sha256: string }).sha256,
      createHash('sha256').update('#!/bin/sh\necho one\n').digest('hex'),
    );
  });

  it('trusts a stamp that still matches the file, without hashing again', async () => {
    // A stamp can only be trusted if the file is unchanged; to show that the hash is skipped, the recorded
    // checksum and the stamp agree on a value the bytes do not have.
    const { cache, binary, dir } = await cachedEntry(await mkdtemp(join(scratch, 'b-')), 'bytes');
    const fake = '0'.repeat(64);
    await writeFile(join(dir, 'etcdctl.sha256'), formatChecksumLine(fake, 'etcdctl'));
    const stats = await stat(binary, { bigint: true });
    const identity = {
      dev: stats.dev.toString(),
      ino: stats.ino.toString(),
      size: stats.size.toString(),
      mtimeNs: stats.mtimeNs.toString(),
      ctimeNs: stats.ctimeNs.toString(),
    };
    await writeFile(join(dir, 'etcdctl.verified'), JSON.stringify({ identity, sha256: fake }));
    assert.equal((await cache.lookup('etcdctl', VERSION)).state, 'valid');
  });

  it('hashes again, and finds the change, when the bytes change even with the old modification time', async () => {
    const { cache, binary } = await cachedEntry(await mkdtemp(join(scratch, 'c-')), '#!/bin/sh\necho one\n');
    assert.equal((await cache.lookup('etcdctl', VERSION)).state, 'valid');
    const { atime, mtime } = await stat(binary);
    // Same size, other bytes, modification time set back: only the change time tells.
    await writeFile(binary, '#!/bin/sh\necho two\n');
    await utimes(binary, atime, mtime);
    const found = await cache.lookup('etcdctl', VERSION);
    assert.equal(found.state, 'corrupt');
    assert.match(found.state === 'corrupt' ? found.reason : '', /checksum mismatch/);
  });

  it('ignores a stamp for another checksum than the one recorded', async () => {
    const { cache, dir } = await cachedEntry(await mkdtemp(join(scratch, 'd-')), 'content');
    assert.equal((await cache.lookup('etcdctl', VERSION)).state, 'valid');
    await writeFile(join(dir, 'etcdctl.sha256'), formatChecksumLine('1'.repeat(64), 'etcdctl'));
    assert.equal((await cache.lookup('etcdctl', VERSION)).state, 'corrupt');
  });

  it('treats a malformed stamp as none', async () => {
    const { cache, dir } = await cachedEntry(await mkdtemp(join(scratch, 'e-')), 'content');
    await writeFile(join(dir, 'etcdctl.verified'), '{"identity": {"dev": "x"}, "sha256": 5}');
    assert.equal((await cache.lookup('etcdctl', VERSION)).state, 'valid');
    const stamp: unknown = JSON.parse(await readFile(join(dir, 'etcdctl.verified'), 'utf8'));
    assert.equal(typeof (stamp as { sha256: unknown }).sha256, 'string', 'the malformed stamp is replaced');
  });
});
