import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCommand } from './run-command.ts';

describe('runCommand', () => {
  it('reports the exit of a command that never reads its input, instead of crashing on the closed pipe', async () => {
    // Enough input that the write is still going when the command has exited.
    const results = await Promise.all(
      Array.from({ length: 20 }, () => runCommand('/bin/sh', ['-c', 'exit 3'], { input: 'x'.repeat(1 << 20) })),
    );
    assert.deepEqual(
      results.map((result) => result.code),
      results.map(() => 3),
    );
  });
});
