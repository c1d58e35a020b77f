import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
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
  it('keeps its parent alive until a component released with it has stopped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-managed-'));
    try {
      // A script whose last act is to stop such a component: its top-level await must settle, and the line print.
      const script = join(dir, 'stop-last.ts');
      const module = new URL('./managed-process.ts', import.meta.url).href;
      await writeFile(
        script,
        [
          `import { ManagedProcess } from ${JSON.stringify(module)};`,
          'const component = ManagedProcess.start({',
          "  name: 'idle', command: process.execPath, args: ['-e', 'setInterval(() => {}, 60_000)'],",
          `  logFile: ${JSON.stringify(join(dir, 'idle.log'))}, releaseWithParent: true,`,
          '});',
          // Released with its parent, the component holds no reference: a timer does until it runs.
          'const alive = setInterval(() => {}, 1_000);',
          'await component.pid;',
          'clearInterval(alive);',
          'const status = await component.stop();',
          "process.stdout.write(`stopped ${status.code === null ? 'by signal' : status.code}\\n`);",
        ].join('\n'),
      );
      const { stdout, code } = await new Promise<{ stdout: string; code: number | null }>((resolve, reject) => {
        const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('error', reject);
        child.on('exit', (exitCode) => resolve({ stdout: out, code: exitCode }));
      });
      assert.equal(code, 0, 'no unsettled top-level await (exit code 13)');
      assert.match(stdout, /^stopped /);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
