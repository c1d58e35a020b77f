import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NOT_FOUND, ok, TEXT, type Answer } from './answer.ts';
import { AnswerCache } from './answer-cache.ts';

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
