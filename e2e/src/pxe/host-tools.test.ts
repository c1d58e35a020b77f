import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { HostToolMissingError, PXE_HOST_PACKAGES } from './errors.ts';
import { findPxeHostTools, hasProgramInterpreter } from './host-tools.ts';

describe('finding the PXE test host tools', () => {
  it('names the Debian packages to install when a tool is missing', async () => {
    await assert.rejects(findPxeHostTools({ PATH: '/nonexistent' }), (error: unknown) => {
      assert.ok(error instanceof HostToolMissingError);
      assert.ok(error.message.includes(`apt-get install ${PXE_HOST_PACKAGES}`), error.message);
      return true;
    });
  });

  it('tells a dynamically linked program (Node itself) by its ELF interpreter header', async () => {
    assert.equal(await hasProgramInterpreter(process.execPath), true);
  });

  it('refuses a file that is not a 64-bit ELF executable', async () => {
    await assert.rejects(hasProgramInterpreter(fileURLToPath(import.meta.url)), /not a 64-bit ELF executable/);
  });
});
