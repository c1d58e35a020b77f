import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DRAIN_SETTINGS, resolveDrainSettings } from './drain-settings.ts';
import { DrainSettingsError } from './errors.ts';

describe('drain settings', () => {
  it('defaults as the UpdatePolicy documents', () => {
    assert.deepEqual(DEFAULT_DRAIN_SETTINGS, {
      timeoutMs: 600_000,
      gracePeriodSeconds: -1,
      deleteEmptyDirData: false,
      force: false,
      skipPodSelectors: [],
      onTimeout: 'Retry',
    });
  });

  it('names the field and the fix for a bad timeout, grace period or selector', () => {
    assert.throws(() => resolveDrainSettings({ timeout: '10 minutes' }), (error: unknown) => {
      assert.ok(error instanceof DrainSettingsError);
      assert.match(error.message, /drain\.timeout: must be a duration above zero/);
      return true;
    });
    assert.throws(() => resolveDrainSettings({ gracePeriodSeconds: -2 }), /drain\.gracePeriodSeconds/);
    assert.throws(
      () => resolveDrainSettings({ skipPodSelectors: [{ matchExpressions: [{ key: 'a', operator: 'In' }] }] }),
      /drain\.skipPodSelectors\.0\.matchExpressions\.0/,
    );
    assert.throws(() => resolveDrainSettings({ onTimeout: 'Ignore' }), /drain\.onTimeout/);
  });
});
