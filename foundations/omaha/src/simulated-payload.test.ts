import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  SIMULATED_PAYLOAD_PACKAGE,
  SimulatedPayloadError,
  simulatedPayload,
  simulatedPayloadUrl,
  simulatedPayloadVersionOf,
  simulatedReleaseSpec,
} from './simulated-payload.ts';

describe('simulated payloads', () => {
  it('are the same bytes for a version wherever they are computed, and differ between versions', () => {
    const first = simulatedPayload('4230.2.4');
    assert.deepEqual(simulatedPayload('4230.2.4'), first);
    assert.notEqual(simulatedPayload('4230.2.5').sha256, first.sha256);
    assert.equal(first.sha256, createHash('sha256').update(first.bytes).digest('hex'));
    assert.equal(first.sha1, createHash('sha1').update(first.bytes).digest('hex'));
    assert.equal(first.size, first.bytes.length);
  });

  it('refuse a version that cannot be a path segment, naming the field', () => {
    for (const version of ['latest', '4230.2.4+nightly', '../etc', '', '1.2.3.4.5'])
      assert.throws(
        () => simulatedPayload(version),
        (error: unknown) => error instanceof SimulatedPayloadError && error.message.startsWith('version: '),
        version,
      );
  });

  it('are served at <base><version>/<package>, and only such paths name a version', () => {
    const url = simulatedPayloadUrl('http://127.0.0.2:30780/flatcar/', '4230.2.4');
    assert.equal(url, `http://127.0.0.2:30780/flatcar/4230.2.4/${SIMULATED_PAYLOAD_PACKAGE}`);
    assert.equal(simulatedPayloadVersionOf(`/4230.2.4/${SIMULATED_PAYLOAD_PACKAGE}`), '4230.2.4');
    assert.equal(simulatedPayloadVersionOf('/4230.2.4/other.gz'), undefined);
    assert.equal(simulatedPayloadVersionOf(`/latest/${SIMULATED_PAYLOAD_PACKAGE}`), undefined);
    assert.equal(simulatedPayloadVersionOf(`/a/4230.2.4/${SIMULATED_PAYLOAD_PACKAGE}`), undefined);
    assert.throws(() => simulatedPayloadUrl('http://127.0.0.2:30780/flatcar', '4230.2.4'), SimulatedPayloadError);
  });

  it('describe an UpdateRelease whose digests match what is served', () => {
    const spec = simulatedReleaseSpec('http://127.0.0.2:30780/flatcar/', '4230.2.4');
    const payload = simulatedPayload('4230.2.4');
    assert.deepEqual(spec, {
      version: '4230.2.4',
      payloadUrl: `http://127.0.0.2:30780/flatcar/4230.2.4/${SIMULATED_PAYLOAD_PACKAGE}`,
      sha256: payload.sha256,
      sha1: payload.sha1,
      size: payload.size,
    });
  });
});
