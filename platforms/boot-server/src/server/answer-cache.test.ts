import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NOT_FOUND, ok, TEXT, type Answer } from './answer.ts';
import { waitFor } from '@strata/host';
import { AnswerCache, DEFAULT_ANSWER_CACHE_CHARS } from './answer-cache.ts';

const script = (n: number): Answer => ok(TEXT, `#!ipxe\nkernel /assets/vmlinuz-${n}\nboot\n`);

describe('the answer cache of a snapshot', () => {
  it('gives back an answer for the same request target only, as sent', () => {
    const cache = new AnswerCache();
    cache.remember('/ipxe?mac=52-54-00-00-00-01', script(1));
    assert.equal(cache.get('/ipxe?mac=52-54-00-00-00-01')?.body, script(1).body);
    assert.equal(cache.get('/ipxe?mac=52-54-00-00-00-02'), undefined);
    assert.equal(cache.get('/grub?mac=52-54-00-00-00-01'), undefined);
    // The target as sent: another spelling is another request (its labels may differ), found by its own answer only.
    assert.equal(cache.get('/ipxe?mac=52:54:00:00:00:01'), undefined);
    assert.equal(cache.get('/ipx%65?mac=52-54-00-00-00-01'), undefined);
    assert.equal(cache.get('/ipxe?mac=52-54-00-00-00-01&'), undefined);
  });

  it('holds where an answer is recorded, or -1 when it is not', () => {
    const cache = new AnswerCache();
    cache.remember('/ipxe?mac=52-54-00-00-00-01', script(1), { mac: '52:54:00:00:00:01', field: 8, generation: 3 });
    cache.remember('/ipxe?uuid=1', script(2));
    const recorded = cache.get('/ipxe?mac=52-54-00-00-00-01');
    assert.deepEqual(
      [recorded?.servedField, recorded?.servedGeneration, recorded?.servedMac],
      [8, 3, '52:54:00:00:00:01'],
    );
    assert.equal(cache.get('/ipxe?uuid=1')?.servedField, -1);
  });

  it('keeps no refusal, so that each is answered and logged again', () => {
    const cache = new AnswerCache();
    cache.remember('/ipxe?mac=52-54-00-00-00-09', NOT_FOUND);
    assert.equal(cache.get('/ipxe?mac=52-54-00-00-00-09'), undefined);
    assert.equal(cache.size, 0);
  });

  it('never holds more than its bound: when full it starts again, and an answer larger than the bound is not kept', () => {
    const one = '/ipxe?mac=52-54-00-00-00-01'.length + script(1).body.length;
    const cache = new AnswerCache(2 * one);
    for (let n = 1; n <= 5; n += 1) {
      cache.remember(`/ipxe?mac=52-54-00-00-00-0${n}`, script(n));
      assert.ok(cache.chars <= 2 * one, `${cache.chars} characters held after ${n} answers`);
    }
    assert.equal(cache.get('/ipxe?mac=52-54-00-00-00-05')?.body, script(5).body);
    assert.equal(cache.get('/ipxe?mac=52-54-00-00-00-01'), undefined);
    cache.remember('/ignition?mac=52-54-00-00-00-01', ok(TEXT, 'x'.repeat(3 * one)));
    assert.equal(cache.get('/ignition?mac=52-54-00-00-00-01'), undefined);
  });

  it('counts an answer given again for the same request once', () => {
    const cache = new AnswerCache();
    cache.remember('/ipxe?mac=52-54-00-00-00-01', script(1));
    const held = cache.chars;
    cache.remember('/ipxe?mac=52-54-00-00-00-01', script(1));
    assert.equal(cache.chars, held);
    assert.equal(cache.size, 1);
  });
});

describe('the headers an answer is kept with', () => {
  it('are its type and its length in bytes, one object for the answers of the same type and length', () => {
    const cache = new AnswerCache();
    const bodies = ['GREETING=grüße\n', 'GREETING=grüsse\n', 'GREETING=gruss\n'];
    bodies.forEach((body, n) => cache.remember(`/generic?mac=52-54-00-00-00-0${n}`, ok(TEXT, body)));
    const [umlauts, sameBytes, plain] = bodies.map((_, n) => cache.get(`/generic?mac=52-54-00-00-00-0${n}`));
    assert.deepEqual(umlauts?.headers, { 'Content-Type': TEXT, 'Content-Length': 17 });
    assert.equal(umlauts?.body, bodies[0]);
    // Fewer characters, as many bytes: the same headers, shared.
    assert.equal(sameBytes?.headers, umlauts?.headers);
    assert.deepEqual(plain?.headers, { 'Content-Type': TEXT, 'Content-Length': 15 });
  });

  it('keep what an answer adds (its own headers, no type)', () => {
    const cache = new AnswerCache();
    const answer: Answer = { status: 200, contentType: '', body: 'x', headers: { 'X-Extra': 'yes' } };
    cache.remember('/generic?mac=52-54-00-00-00-01', answer);
    assert.deepEqual(cache.get('/generic?mac=52-54-00-00-00-01')?.headers, {
      'Content-Length': 1,
      'X-Extra': 'yes',
    });
  });
});

describe('the layout of the answers held (compact)', () => {
  const targets = Array.from({ length: 50 }, (_, n) => `/ipxe?mac=52-54-00-00-00-${n.toString(16).padStart(2, '0')}`);
  const fill = (cache: AnswerCache) =>
    targets.forEach((target, n) =>
      cache.remember(target, ok(TEXT, `#!ipxe\nset hostname node-${n}-grüße-\ud800\nboot\n`), {
        mac: `52:54:00:00:00:${n}`,
        field: n * 4,
        generation: n,
      }),
    );

  it('keeps every answer, its headers, its record and its characters, and the count of characters held', () => {
    const cache = new AnswerCache(DEFAULT_ANSWER_CACHE_CHARS, 60_000);
    fill(cache);
    const before = targets.map((target) => cache.get(target));
    const chars = cache.chars;
    cache.compact();
    cache.close();
    assert.equal(cache.size, targets.length);
    assert.equal(cache.chars, chars);
    assert.equal(cache.keptSinceCompaction, 0);
    targets.forEach((target, n) => {
      const after = cache.get(target);
      const was = before[n];
      assert.ok(after !== undefined && was !== undefined, target);
      // A lone surrogate is written as U+FFFD either way: the bytes on the wire, and so Content-Length, stay the same.
      assert.equal(Buffer.from(after.body).equals(Buffer.from(was.body)), true, target);
      assert.equal(after.headers, was.headers);
      assert.deepEqual(
        [after.servedField, after.servedGeneration, after.servedMac],
        [was.servedField, was.servedGeneration, was.servedMac],
      );
    });
  });

  it('happens by itself once no answer has been kept for the quiet time', async () => {
    const cache = new AnswerCache(DEFAULT_ANSWER_CACHE_CHARS, 20);
    fill(cache);
    assert.equal(cache.keptSinceCompaction, targets.length);
    await waitFor('the compaction after 20 ms without a new answer', () =>
      cache.keptSinceCompaction === 0 ? true : undefined,
    );
    assert.equal(cache.get(targets[7] ?? '')?.body.startsWith('#!ipxe\nset hostname node-7-'), true);
    cache.close();
  });

  it('never happens while answers keep coming, nor after close', async () => {
    const quietMs = 500;
    const cache = new AnswerCache(DEFAULT_ANSWER_CACHE_CHARS, quietMs);
    // A new answer every 20 ms: never quiet for 500 ms, so no compaction may run. A pause that the machine's load
    // made longer than the quiet time would allow one; then only the answers kept since that pause must be pending.
    let sinceLongPause = 0;
    let longPauses = 0;
    let last = performance.now();
    for (let n = 0; n < 30; n += 1) {
      const now = performance.now();
      if (now - last >= quietMs) {
        longPauses += 1;
        sinceLongPause = 0;
      }
      last = now;
      cache.remember(`/ipxe?mac=52-54-00-00-01-${n}`, ok(TEXT, `#!ipxe\n${n}\n`));
      sinceLongPause += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (performance.now() - last >= quietMs) {
      longPauses += 1;
      sinceLongPause = 0;
    }
    if (longPauses === 0) assert.equal(cache.keptSinceCompaction, 30, 'compacted while answers still came');
    else assert.ok(cache.keptSinceCompaction >= sinceLongPause, 'compacted while answers still came');
    cache.close();
    // Closed: the compaction that was pending never runs. Watched against a second cache with the same quiet time,
    // which does compact: once it has, the closed one's time has passed too.
    const witness = new AnswerCache(DEFAULT_ANSWER_CACHE_CHARS, quietMs);
    witness.remember('/ipxe?mac=52-54-00-00-02-01', ok(TEXT, '#!ipxe\n'));
    await waitFor('the witness compaction', () => (witness.keptSinceCompaction === 0 ? true : undefined));
    const pending = cache.keptSinceCompaction;
    assert.ok(pending > 0, 'the last answers were compacted although the cache was closed');
    witness.close();
  });
});
