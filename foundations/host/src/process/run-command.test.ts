import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCommand } from './run-command.ts';

describe('runCommand', () => {
  it('collects the output and exit status', async () => {
    assert.deepEqual(await runCommand('sh', ['-c', 'echo out; echo err >&2; exit 3']), {
      code: 3,
      stdout: 'out\n',
      stderr: 'err\n',
    });
  });

  it('passes the input on stdin', async () => {
    assert.equal((await runCommand('cat', [], { input: 'hello' })).stdout, 'hello');
  });

  it('answers with the exit status of a command that exits without reading its input', async () => {
    // More than a pipe holds, so that the write is still under way when the command has gone.
    const input = 'x'.repeat(4 * 1024 * 1024);
    for (let run = 0; run < 20; run += 1) assert.equal((await runCommand('true', [], { input })).code, 0);
  });
});
