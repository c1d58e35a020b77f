import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../wait/wait-for.ts';
import { ManagedProcess } from './managed-process.ts';

/** The pids whose command line contains `needle`, read from every /proc/<pid>/cmdline. */
async function pidsWithInCommandLine(needle: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = await readFile(join('/proc', entry, 'cmdline'), 'utf8');
    } catch (error) {
      // The process exited between readdir and read: it shows nothing any more.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ESRCH') continue;
      throw error;
    }
    if (cmdline.includes(needle)) found.push(Number(entry));
  }
  return found;
}

describe('ManagedProcess', () => {
  it('gives the component its environment without showing it on any command line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-managed-'));
    const secret = `secret-${randomBytes(16).toString('hex')}`;
    const logFile = join(dir, 'component.log');
    // The component echoes its environment variable and then waits for its stop.
    const component = ManagedProcess.start({
      name: 'env-echo',
      command: process.execPath,
      args: ['-e', "process.stdout.write(process.env.STRATA_SECRET + '\\n'); setInterval(() => {}, 60_000);"],
      env: { STRATA_SECRET: secret },
      logFile,
      gracePeriodMs: 1_000,
    });
    try {
      const pid = await component.pid;
      const seen = await waitFor('the component to print its environment', async () => {
        const text = await readFile(logFile, 'utf8').catch(() => '');
        return text.includes('\n') ? text.trim() : undefined;
      });
      assert.equal(seen, secret);
      assert.ok(component.running, 'the guardian must still run while the listing is read');
      await readFile(join('/proc', String(pid), 'cmdline'));
      assert.deepEqual(await pidsWithInCommandLine(secret), []);
    } finally {
      await component.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a component that cannot start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-managed-'));
    try {
      const component = ManagedProcess.start({
        name: 'missing',
        command: join(dir, 'no-such-binary'),
        args: [],
        logFile: join(dir, 'missing.log'),
      });
      assert.deepEqual(await component.exited, { code: 127 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
