import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { strataDataDir } from './data-dir.ts';

describe('strataDataDir', () => {
  it('is $XDG_DATA_HOME/strata when it is set, else ~/.local/share/strata', () => {
    assert.equal(strataDataDir({ XDG_DATA_HOME: '/srv/data' }), '/srv/data/strata');
    assert.equal(strataDataDir({ XDG_DATA_HOME: '' }), join(homedir(), '.local', 'share', 'strata'));
    assert.equal(strataDataDir({}), join(homedir(), '.local', 'share', 'strata'));
  });
});
