// Each cloud's driver asks its provider whether what the config names exists,
// once the offline checks pass (the driver's own test shows when and how).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLOUD_SPECS } from './platforms.ts';

describe('the cloud specs', () => {
  for (const spec of Object.values(CLOUD_SPECS)) {
    it(`${spec.platform}: has checks through the provider`, () => {
      assert.equal(typeof spec.existence, 'function');
    });
  }
});
