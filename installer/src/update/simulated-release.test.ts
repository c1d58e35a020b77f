import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SIMULATED_PAYLOADS_ANNOTATION } from '@strata/api';
import { aReleaseResource } from '@strata/update-server/testing';
import { simulatedPayloadsBase, SimulatedPayloadsAnnotationError } from './simulated-release.ts';

const marked = (name: string, value: string) => {
  const release = aReleaseResource(name);
  return { ...release, metadata: { ...release.metadata, annotations: { [SIMULATED_PAYLOADS_ANNOTATION]: value } } };
};

describe('simulatedPayloadsBase', () => {
  it('is the base URL a release’s annotation names, and none where no release has the annotation', () => {
    const base = 'http://127.0.0.2:30780/flatcar/';
    assert.equal(simulatedPayloadsBase([aReleaseResource('flatcar-1.0.0'), marked('flatcar-4230.2.3', base)]), base);
    assert.equal(simulatedPayloadsBase([aReleaseResource('flatcar-1.0.0')]), undefined);
    assert.equal(simulatedPayloadsBase([]), undefined);
  });

  it('refuses an annotation that is not an http(s) URL ending in /, naming the release and the annotation', () => {
    for (const value of ['', 'ftp://127.0.0.2/flatcar/', 'http://127.0.0.2:30780/flatcar', 'not a url'])
      assert.throws(
        () => simulatedPayloadsBase([marked('flatcar-4230.2.3', value)]),
        (error: unknown) =>
          error instanceof SimulatedPayloadsAnnotationError &&
          error.message.startsWith(`UpdateRelease flatcar-4230.2.3: annotation ${SIMULATED_PAYLOADS_ANNOTATION}`),
        JSON.stringify(value),
      );
  });
});
