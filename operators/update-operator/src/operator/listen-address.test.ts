import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ListenAddressError, parseListenAddress } from './listen-address.ts';

describe('parseListenAddress', () => {
  it('reads host:port and [ipv6]:port', () => {
    assert.deepEqual(parseListenAddress('0.0.0.0:8080', '--metrics-address'), { host: '0.0.0.0', port: 8080 });
    assert.deepEqual(parseListenAddress('[::1]:0', '--metrics-address'), { host: '::1', port: 0 });
    assert.deepEqual(parseListenAddress('localhost:8081', '--fleetlock-address'), { host: 'localhost', port: 8081 });
  });

  it('refuses anything else, naming the flag', () => {
    for (const bad of ['8080', ':8080', '0.0.0.0:', '0.0.0.0:65536', '::1:80', 'host:port']) {
      assert.throws(
        () => parseListenAddress(bad, '--metrics-address'),
        (error: unknown) => error instanceof ListenAddressError && error.message.includes('--metrics-address'),
        bad,
      );
    }
  });
});
