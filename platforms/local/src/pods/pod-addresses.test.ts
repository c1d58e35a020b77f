import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_POD_ADDRESS_RANGE,
  PodAddressesExhaustedError,
  PodAddressPool,
  PodAddressRangeError,
  sharedPodAddressPool,
} from './pod-addresses.ts';

describe('PodAddressPool', () => {
  it('gives each pod its own loopback address, skipping the network address', () => {
    const pool = new PodAddressPool('127.0.64.0/29');
    assert.equal(pool.allocate('pod-a'), '127.0.64.1');
    assert.equal(pool.allocate('pod-b'), '127.0.64.2');
    assert.equal(pool.allocate('pod-a'), '127.0.64.1', 'asking again gives the same address');
    assert.equal(pool.addressOf('pod-b'), '127.0.64.2');
    assert.equal(pool.inUse, 2);
  });

  it('hands a released address out again only after the others', () => {
    const pool = new PodAddressPool('127.0.64.0/30');
    assert.equal(pool.capacity, 2);
    assert.equal(pool.allocate('a'), '127.0.64.1');
    pool.release('a');
    assert.equal(pool.addressOf('a'), undefined);
    assert.equal(pool.allocate('b'), '127.0.64.2');
    assert.equal(pool.allocate('c'), '127.0.64.1');
  });

  it('fails with a typed error when every address is taken, and recovers on release', () => {
    const pool = new PodAddressPool('127.1.0.0/30');
    pool.allocate('a');
    pool.allocate('b');
    assert.throws(
      () => pool.allocate('c'),
      (error: unknown) => {
        assert.ok(error instanceof PodAddressesExhaustedError);
        assert.match(error.message, /all 2 pod addresses of 127\.1\.0\.0\/30 are in use/);
        assert.deepEqual(error.context, { range: '127.1.0.0/30', capacity: 2 });
        return true;
      },
    );
    pool.release('b');
    assert.equal(pool.allocate('c'), '127.1.0.2');
    pool.release('never-allocated');
  });

  it('never leaves the range and never uses its broadcast address', () => {
    const pool = new PodAddressPool('127.0.65.0/28');
    const addresses = Array.from({ length: 14 }, (_, index) => pool.allocate(`pod-${index}`));
    assert.equal(new Set(addresses).size, 14);
    assert.equal(addresses.at(-1), '127.0.65.14');
    assert.throws(() => pool.allocate('one-more'), PodAddressesExhaustedError);
  });

  it('by default hands out 127.0.64.1 to 127.0.127.254, clear of the control plane’s 127.0.0.0/24', () => {
    const pool = new PodAddressPool();
    assert.equal(pool.capacity, 2 ** 14 - 2);
    const addresses = Array.from({ length: pool.capacity }, (_, index) => pool.allocate(`pod-${index}`));
    assert.equal(addresses[0], '127.0.64.1');
    assert.equal(addresses.at(-1), '127.0.127.254');
    assert.equal(new Set(addresses).size, pool.capacity);
    assert.deepEqual(
      addresses.filter((address) => !address.startsWith('127.') || address.startsWith('127.0.0.')),
      [],
      'every address is loopback, none in 127.0.0.0/24',
    );
    assert.throws(() => pool.allocate('one-more'), PodAddressesExhaustedError);
  });

  it('shares one default pool per process', () => {
    const shared = sharedPodAddressPool();
    assert.equal(sharedPodAddressPool(), shared);
    assert.equal(shared.range, DEFAULT_POD_ADDRESS_RANGE);
    const address = shared.allocate('shared-pod');
    assert.equal(
      sharedPodAddressPool().addressOf('shared-pod'),
      address,
      'an address taken through one caller is taken for all',
    );
    shared.release('shared-pod');
  });

  for (const [range, problem] of [
    ['127.0.0.0/16', /overlaps 127\.0\.0\.0\/24/],
    ['127.0.0.128/25', /overlaps 127\.0\.0\.0\/24/],
    ['10.0.0.0/24', /not inside 127\.0\.0\.0\/8/],
    ['126.0.0.0/7', /not inside 127\.0\.0\.0\/8/],
    ['127.0.64.1/24', /has host bits set: the range starts at 127\.0\.64\.0 \(use "127\.0\.64\.0\/24"\)/],
    ['127.0.64.0/31', /prefix of at most \/30/],
    ['127.0.64.0', /is not in CIDR notation/],
    ['::1/128', /not an IPv4 CIDR/],
  ] as const) {
    it(`refuses the range ${range}`, () => {
      assert.throws(
        () => new PodAddressPool(range),
        (error: unknown) => error instanceof PodAddressRangeError && problem.test(error.message),
      );
    });
  }
});
