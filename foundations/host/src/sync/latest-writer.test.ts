import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedLatestWriter } from './latest-writer.ts';

/** A promise the test settles when it chooses. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('KeyedLatestWriter', () => {
  it('returns at once, writes one value at a time per key, and skips values a newer one replaced', async () => {
    const written: string[] = [];
    const first = gate();
    const writer = new KeyedLatestWriter<string>(
      async (key, value) => {
        written.push(`${key}=${value} start`);
        if (value === '1') await first.opened;
        written.push(`${key}=${value} end`);
      },
      (error) => assert.fail(String(error)),
    );
    writer.submit('a', '1');
    assert.deepEqual(written, [], 'submit does not write on the caller’s path');
    await new Promise((resolve) => setImmediate(resolve));
    writer.submit('a', '2');
    writer.submit('a', '3');
    writer.submit('b', 'x');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(written, ['a=1 start', 'b=x start', 'b=x end'], 'b is not held back by a; 2 and 3 wait for 1');
    first.open();
    await writer.idle();
    assert.deepEqual(written, ['a=1 start', 'b=x start', 'b=x end', 'a=1 end', 'a=3 start', 'a=3 end']);
  });

  it('writes only the last of the values submitted in one turn', async () => {
    const written: string[] = [];
    const writer = new KeyedLatestWriter<number>(
      (_key, value) => {
        written.push(String(value));
        return Promise.resolve();
      },
      (error) => assert.fail(String(error)),
    );
    for (let value = 1; value <= 5; value += 1) writer.submit('k', value);
    await writer.idle();
    assert.deepEqual(written, ['5']);
  });

  it('reports a failed write with its key and value, and still writes the next value', async () => {
    const failures: string[] = [];
    const written: string[] = [];
    const first = gate();
    const writer = new KeyedLatestWriter<string>(
      async (_key, value) => {
        if (value === 'bad') {
          await first.opened;
          throw new Error('refused');
        }
        written.push(value);
      },
      (error, key, value) => failures.push(`${key} ${value}: ${error instanceof Error ? error.message : ''}`),
    );
    writer.submit('k', 'bad');
    await new Promise((resolve) => setImmediate(resolve));
    writer.submit('k', 'good');
    first.open();
    await writer.idle();
    assert.deepEqual(failures, ['k bad: refused']);
    assert.deepEqual(written, ['good']);
  });

  it('drops a waiting value that is discarded', async () => {
    const written: string[] = [];
    const first = gate();
    const writer = new KeyedLatestWriter<string>(
      async (_key, value) => {
        if (value === '1') await first.opened;
        written.push(value);
      },
      (error) => assert.fail(String(error)),
    );
    writer.submit('k', '1');
    await new Promise((resolve) => setImmediate(resolve));
    writer.submit('k', '2');
    writer.discard('k');
    first.open();
    await writer.idle();
    assert.deepEqual(written, ['1']);
  });
});
