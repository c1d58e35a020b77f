import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hasProgramInterpreter } from './guest-parts.ts';

describe('hasProgramInterpreter', () => {
  it('tells a dynamically linked program (Node itself) by its ELF interpreter header', async () => {
    assert.equal(await hasProgramInterpreter(process.execPath), true);
  });

  it('refuses a file that is not a 64-bit ELF executable', async () => {
    await assert.rejects(hasProgramInterpreter(fileURLToPath(import.meta.url)), /not a 64-bit ELF executable/);
  });
});
