import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseClusterConfig } from '@strata/assets';
import { localConfigYaml } from '../../testing/install-sandbox.ts';
import { phaseTimeoutMs } from './phase.ts';

function configWith(timeouts?: Record<string, string>) {
  const result = parseClusterConfig(localConfigYaml(timeouts === undefined ? {} : { timeouts }), { hostNetworks: [] });
  if (!result.ok) throw new Error(result.message);
  return result.config;
}

describe('phase timeouts', () => {
  it('come from install.timeouts, as "90s", "10m" or "1h30m"', () => {
    const config = configWith({ waitApi: '90s', provision: '1h30m', waitNodes: '2m' });
    assert.equal(phaseTimeoutMs(config, 'wait-api'), 90_000);
    assert.equal(phaseTimeoutMs(config, 'provision'), 90 * 60_000);
    assert.equal(phaseTimeoutMs(config, 'wait-nodes'), 120_000);
  });

  it('default per phase when the config sets none', () => {
    const config = configWith();
    assert.equal(phaseTimeoutMs(config, 'preflight'), 2 * 60_000);
    assert.equal(phaseTimeoutMs(config, 'wait-api'), 10 * 60_000);
  });

  it('a bad duration is a config error with its field path', () => {
    const result = parseClusterConfig(localConfigYaml({ timeouts: { waitApi: 'soon', bootstrap: '0s' } }), {
      hostNetworks: [],
    });
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.issues.map((issue) => `${issue.path}: ${issue.message}`),
      ['install.timeouts.waitApi: is not a duration', 'install.timeouts.bootstrap: must be between 1s and 24h'],
    );
  });
});
