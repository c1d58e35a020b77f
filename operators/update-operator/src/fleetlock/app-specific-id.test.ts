import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appSpecificId, InvalidId128Error, normaliseClientId, zincatiClientId } from './app-specific-id.ts';

describe('appSpecificId', () => {
  it("matches the vector in systemd's own test suite (src/test/test-id128.c)", () => {
    // systemd-id128 -a f03daaeb1c334b43a732172944bf772e show 51df0b4bc3b04c9780e299b98ca373b8
    assert.equal(
      appSpecificId('51df0b4bc3b04c9780e299b98ca373b8', 'f03daaeb1c334b43a732172944bf772e'),
      '1dee5954e75c4d6fb96cc6c04ca18a86',
    );
  });

  it('matches the vector of the Rust libsystemd crate (id128.rs)', () => {
    assert.equal(
      appSpecificId('2e074e9b299c41a59923c51ae16f279b', '033b1b9b264441fcaa173e9e5bf35c5a'),
      '4d4a86c9c6644a479560ded5d19a30c5',
    );
  });

  it('accepts UUID-formatted and upper-case ids', () => {
    assert.equal(
      appSpecificId('51DF0B4B-C3B0-4C97-80E2-99B98CA373B8', 'f03daaeb1c334b43a732172944bf772e'),
      '1dee5954e75c4d6fb96cc6c04ca18a86',
    );
  });

  it('refuses ids that are not 128 bits of hex, naming which', () => {
    assert.throws(
      () => appSpecificId('not-a-machine-id', 'f03daaeb1c334b43a732172944bf772e'),
      (error: unknown) => error instanceof InvalidId128Error && /machine id/.test(error.message),
    );
    assert.throws(
      () => appSpecificId('51df0b4bc3b04c9780e299b98ca373b8', 'f03d'),
      (error: unknown) => error instanceof InvalidId128Error && /application id/.test(error.message),
    );
  });
});

describe('zincatiClientId', () => {
  it('matches `systemd-id128 machine-id -a de35106b6ec24688b63afddaa156679b` (systemd 252) on a machine with a known machine id', () => {
    // Produced on a Debian 12 machine whose /etc/machine-id was 3d1219c7c4c5404aaa1f6d2a48adfda4.
    assert.equal(zincatiClientId('3d1219c7c4c5404aaa1f6d2a48adfda4'), '975228d46dc94622b9bbe16671e2b58d');
  });

  it('matches the Zincati vector of poseidon/fleetlock (internal/nodes_test.go)', () => {
    assert.equal(zincatiClientId('1c09ca98649c4c7abc779cd04c96812e'), '978a225b3d7b40e9acd7ce9b62f68444');
    assert.equal(zincatiClientId('1c09ca98-649c-4c7a-bc77-9cd04c96812e'), '978a225b3d7b40e9acd7ce9b62f68444');
  });

  it('always yields a version 4, RFC 4122 variant id', () => {
    for (const machineId of [
      '00000000000000000000000000000000',
      'ffffffffffffffffffffffffffffffff',
      '0123456789abcdef0123456789abcdef',
    ]) {
      const id = zincatiClientId(machineId);
      assert.match(id, /^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
    }
  });
});

describe('normaliseClientId', () => {
  it('lower-cases and strips dashes from 128-bit ids and refuses anything else', () => {
    assert.equal(normaliseClientId('978A225B-3D7B-40E9-ACD7-CE9B62F68444'), '978a225b3d7b40e9acd7ce9b62f68444');
    assert.equal(normaliseClientId('worker-1'), undefined);
  });
});
