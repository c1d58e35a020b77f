import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { waitFor } from '@strata/host';
import { join } from 'node:path';
import { containerLogTail, readContainerLog, type ContainerLogOptions, type FollowControl } from './container-log.ts';

/** A CRI record as the guardian writes it. */
const record = (second: number, stream: 'stdout' | 'stderr', text: string, partial = false): string =>
  `2026-12-05T10:00:${String(second).padStart(2, '0')}.000000001Z ${stream} ${partial ? 'P' : 'F'} ${text}\n`;

async function read(path: string, options: ContainerLogOptions, control?: FollowControl): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of readContainerLog(path, options, control)) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

describe('readContainerLog', () => {
  let dir: string;
  let path: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strata-container-log-'));
    path = join(dir, 'main.log');
    await writeFile(
      path,
      record(1, 'stdout', 'one') +
        record(2, 'stderr', 'two') +
        record(3, 'stdout', 'thr', true) +
        record(3, 'stdout', 'ee') +
        'garbage that is no record\n' +
        record(4, 'stdout', 'four'),
    );
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives every line, both streams, partial records joined, what is no record skipped', async () => {
    assert.equal(await read(path, {}), 'one\ntwo\nthree\nfour\n');
  });

  it('gives the last lines with tailLines, none with 0', async () => {
    assert.equal(await read(path, { tailLines: 2 }), 'three\nfour\n');
    assert.equal(await read(path, { tailLines: 0 }), '');
    assert.equal(await read(path, { tailLines: 100 }), 'one\ntwo\nthree\nfour\n');
  });

  it('gives the lines written since a time', async () => {
    assert.equal(await read(path, { since: new Date('2026-12-05T10:00:03Z') }), 'three\nfour\n');
  });

  it('prefixes each line with its timestamp as written', async () => {
    assert.equal(await read(path, { timestamps: true, tailLines: 1 }), '2026-12-05T10:00:04.000000001Z four\n');
  });

  it('stops after limitBytes, cutting the last line', async () => {
    assert.equal(await read(path, { limitBytes: 6 }), 'one\ntw');
  });

  it('gives one stream only', async () => {
    assert.equal(await read(path, { stream: 'stderr' }), 'two\n');
  });

  it('follows the file while the container runs, then gives what it wrote last', async () => {
    const followed = join(dir, 'followed.log');
    await writeFile(followed, record(1, 'stdout', 'before'));
    let running = true;
    const chunks: string[] = [];
    const reader = (async () => {
      for await (const chunk of readContainerLog(
        followed,
        { follow: true },
        { running: () => running, pollIntervalMs: 20 },
      ))
        chunks.push(chunk.toString());
    })();
    await waitFor('the first line', () => (chunks.length === 1 ? true : undefined), { intervalMs: 10 });
    await appendFile(followed, record(2, 'stdout', 'after'));
    await waitFor('the line written later', () => (chunks.length === 2 ? true : undefined), { intervalMs: 10 });
    await appendFile(followed, record(3, 'stdout', 'last'));
    running = false;
    await reader;
    assert.deepEqual(chunks, ['before\n', 'after\n', 'last\n']);
  });

  it('ends a follow when the signal aborts', async () => {
    const abort = new AbortController();
    const reader = read(path, { follow: true }, { running: () => true, signal: abort.signal, pollIntervalMs: 20 });
    abort.abort();
    assert.equal(await reader, 'one\ntwo\nthree\nfour\n');
  });

  it('gives the tail a termination message falls back to, by lines and bytes', async () => {
    assert.equal(await containerLogTail(path, 2, 100), 'three\nfour\n');
    assert.equal(await containerLogTail(path, 80, 7), 'e\nfour\n');
  });
});
