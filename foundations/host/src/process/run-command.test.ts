import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('hands on each line of output as it comes, the unterminated last one at the end', async () => {
    const seen: string[] = [];
    const result = await runCommand('sh', ['-c', 'printf "one\\ntwo\\n"; echo warn >&2; printf last'], {
      onLine: (line, stream) => seen.push(`${stream}:${line}`),
    });
    assert.equal(result.stdout, 'one\ntwo\nlast');
    assert.deepEqual(
      seen.filter((line) => line.startsWith('stdout:')),
      ['stdout:one', 'stdout:two', 'stdout:last'],
    );
    assert.deepEqual(
      seen.filter((line) => line.startsWith('stderr:')),
      ['stderr:warn'],
    );
  });

  it('hands on a line while the command still runs', async () => {
    // The command waits for a file that only the handler of its first line makes: collected output would hang.
    const dir = await mkdtemp(join(tmpdir(), 'run-command-'));
    const go = join(dir, 'go');
    try {
      const result = await runCommand(
        'sh',
        ['-c', `echo waiting; while [ ! -e '${go}' ]; do sleep 0.05; done; echo done`],
        {
          onLine: (line) => {
            if (line === 'waiting') writeFileSync(go, '');
          },
        },
      );
      assert.equal(result.stdout, 'waiting\ndone\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
