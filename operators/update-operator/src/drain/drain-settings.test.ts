import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DRAIN_SETTINGS, resolveDrainSettings } from './drain-settings.ts';
import { DrainSettingsError } from './errors.ts';

describe('drain settings', () => {
  it('fills in what a policy leaves out as the UpdatePolicy documents', () => {
    const documented = {
      timeoutMs: 600_000,
      gracePeriodSeconds: -1,
      deleteEmptyDirData: false,
      force: false,
      skipPodSelectors: [],
      onTimeout: 'Retry',
    };
    assert.deepEqual(resolveDrainSettings(undefined), documented, 'no drain section at all');
    assert.deepEqual(resolveDrainSettings({}), documented, 'an empty drain section');
    assert.deepEqual(DEFAULT_DRAIN_SETTINGS, documented, 'what the agent uses without a policy');
  });

  it('keeps what a policy sets, converting its timeout to milliseconds, and defaults the rest', () => {
    assert.deepEqual(resolveDrainSettings({ timeout: '90s', onTimeout: 'Reboot', force: true }), {
      timeoutMs: 90_000,
      gracePeriodSeconds: -1,
      deleteEmptyDirData: false,
      force: true,
      skipPodSelectors: [],
      onTimeout: 'Reboot',
    });
    assert.equal(resolveDrainSettings({ timeout: '1h30m' }).timeoutMs, 5_400_000);
  });

  it('names the field and the fix for a bad timeout, grace period or selector', () => {
    assert.throws(
      () => resolveDrainSettings({ timeout: '10 minutes' }),
      (error: unknown) => {
        assert.ok(error instanceof DrainSettingsError);
        assert.match(error.message, /drain\.timeout: must be a duration above zero/);
        return true;
      },
    );
    assert.throws(() => resolveDrainSettings({ gracePeriodSeconds: -2 }), /drain\.gracePeriodSeconds/);
    assert.throws(
      () => resolveDrainSettings({ skipPodSelectors: [{ matchExpressions: [{ key: 'a', operator: 'In' }] }] }),
      /drain\.skipPodSelectors\.0\.matchExpressions\.0/,
    );
    assert.throws(() => resolveDrainSettings({ onTimeout: 'Ignore' }), /drain\.onTimeout/);
  });
});
