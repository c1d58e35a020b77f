import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostToolMissingError, PXE_HOST_PACKAGES } from './errors.ts';
import { findPxeHostTools } from './host-tools.ts';

describe('finding the PXE test host tools', () => {
  it('names the Debian packages to install when a tool is missing', async () => {
    await assert.rejects(findPxeHostTools({ PATH: '/nonexistent' }), (error: unknown) => {
      assert.ok(error instanceof HostToolMissingError);
      assert.ok(error.message.includes(`apt-get install ${PXE_HOST_PACKAGES}`), error.message);
      return true;
    });
  });
});
