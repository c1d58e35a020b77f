import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BootServerConfigError } from '../errors.ts';
import { parseListenAddress } from './address.ts';

describe('parseListenAddress', () => {
  it('reads host:port, [v6]:port and :port as matchbox writes them', () => {
    assert.deepEqual(parseListenAddress('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseListenAddress('[::1]:8080'), { host: '::1', port: 8080 });
    assert.deepEqual(parseListenAddress(':8080'), { host: undefined, port: 8080 });
    assert.deepEqual(parseListenAddress('matchbox.example.com:0'), { host: 'matchbox.example.com', port: 0 });
  });

  it('names the option and an example when the address is unusable', () => {
    for (const bad of ['8080', '127.0.0.1', '127.0.0.1:99999', '::1:8080', 'host:port', '']) {
      assert.throws(
        () => parseListenAddress(bad),
        (error: unknown) =>
          error instanceof BootServerConfigError &&
          error.context.field === 'address' &&
          /e\.g\. 127\.0\.0\.1:8080/.test(error.message),
        bad,
      );
    }
  });
});
